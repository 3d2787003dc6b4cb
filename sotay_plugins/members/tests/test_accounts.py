import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from sotay_plugins.members import services
from sotay_plugins.members.models import ActivationCode
from tests.factories import MemberFactory


@pytest.fixture(autouse=True)
def _clean_axes(db):
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()


def test_login_with_cccd_rotates_the_session(client, tree):
    member = MemberFactory(cell=tree["c11"])
    client.get("/dang-nhap/")
    before = client.session.session_key
    response = client.post("/dang-nhap/", {"username": member.cccd, "password": "Matkhau@123"})
    assert response.status_code == 302
    assert client.session.session_key != before
    assert client.get("/ho-so/").status_code == 200


def test_wrong_password_gives_a_vietnamese_error(client, tree):
    member = MemberFactory(cell=tree["c11"])
    response = client.post("/dang-nhap/", {"username": member.cccd, "password": "sai"})
    assert response.status_code == 200
    assert "Số CCCD hoặc mật khẩu không đúng." in response.content.decode()


def test_twenty_wrong_passwords_lock_the_account_even_for_the_right_one(client, api, tree):
    member = MemberFactory(cell=tree["c11"])
    statuses = [
        client.post("/dang-nhap/", {"username": member.cccd, "password": f"sai{i}"}).status_code
        for i in range(20)
    ]
    assert statuses[:4] == [200] * 4 and set(statuses[5:]) == {429}
    locked = client.post("/dang-nhap/", {"username": member.cccd, "password": "Matkhau@123"})
    assert locked.status_code == 429
    assert "tạm khóa" in locked.content.decode()
    token = api.post(
        "/api/v1/auth/token/", {"username": member.cccd, "password": "Matkhau@123"}, format="json"
    )
    assert token.status_code == 429 and "tạm khóa" in token.json()["detail"]


def test_api_token_login_and_bad_fields(api, tree):
    member = MemberFactory(cell=tree["c11"])
    ok = api.post(
        "/api/v1/auth/token/", {"username": member.cccd, "password": "Matkhau@123"}, format="json"
    )
    assert ok.status_code == 200 and len(ok.json()["token"]) == 40
    missing = api.post("/api/v1/auth/token/", {"username": member.cccd}, format="json")
    assert missing.status_code == 400
    assert list(missing.json()["fields"]) == ["password"] and "bắt buộc" in missing.json()["detail"]
    wrong = api.post(
        "/api/v1/auth/token/", {"username": member.cccd, "password": "x"}, format="json"
    )
    assert wrong.status_code == 403 and "không đúng" in wrong.json()["detail"]


def test_no_cccd_reaches_the_logs(client, tree, caplog):
    from sotay_plugins.logging import MaskCCCDFilter

    member = MemberFactory(cell=tree["c11"])
    handler_filter = MaskCCCDFilter()
    caplog.handler.addFilter(handler_filter)
    with caplog.at_level(logging.DEBUG):
        for _ in range(6):
            client.post("/dang-nhap/", {"username": member.cccd, "password": "sai"})
        logging.getLogger("sotay.test").warning("login failed for %s", member.cccd)
    assert member.cccd not in caplog.text
    assert member.cccd[-3:] in caplog.text  # the masked form is there


def test_activation_sets_the_password_once(client, tree):
    member = services.create_member(
        **{
            "full_name": "Lê Văn Tám",
            "birth_date": timezone.datetime(1950, 1, 1).date(),
            "gender": "male",
            "cell": tree["c11"],
            "cccd": "034050000008",
        }
    )
    code = services.issue_activation_code(member)
    assert len(code) == 8 and not ActivationCode.objects.filter(code_hash__contains=code).exists()
    data = {
        "cccd": member.cccd,
        "code": code.lower(),
        "password1": "Binh-minh-2026",
        "password2": "Binh-minh-2026",
    }
    response = client.post("/kich-hoat/", data)
    assert response.status_code == 302
    assert (
        client.post(
            "/dang-nhap/", {"username": member.cccd, "password": "Binh-minh-2026"}
        ).status_code
        == 302
    )
    client.post("/dang-xuat/")
    again = client.post(
        "/kich-hoat/", {**data, "password1": "Khac-hoan-toan-9", "password2": "Khac-hoan-toan-9"}
    )
    assert "không đúng" in again.content.decode()
    assert (
        client.post(
            "/dang-nhap/", {"username": member.cccd, "password": "Binh-minh-2026"}
        ).status_code
        == 302
    )


@pytest.mark.parametrize(
    "case", ["wrong_code", "expired", "weak_password", "mismatch", "unknown_cccd"]
)
def test_bad_activation_changes_nothing(client, tree, case):
    member = services.create_member(
        **{
            "full_name": "Lê Văn Tám",
            "birth_date": timezone.datetime(1950, 1, 1).date(),
            "gender": "male",
            "cell": tree["c11"],
            "cccd": "034050000009",
        }
    )
    code = services.issue_activation_code(member)
    data = {
        "cccd": member.cccd,
        "code": code,
        "password1": "Binh-minh-2026",
        "password2": "Binh-minh-2026",
    }
    if case == "wrong_code":
        data["code"] = "AAAAAAAA"
    elif case == "expired":
        ActivationCode.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    elif case == "weak_password":
        data["password1"] = data["password2"] = "12345678"
    elif case == "mismatch":
        data["password2"] = "Khac-nhau-2026"
    elif case == "unknown_cccd":
        data["cccd"] = "034050000010"
    response = client.post("/kich-hoat/", data)
    assert response.status_code == 200
    assert 'class="error' in response.content.decode() or "errorlist" in response.content.decode()
    member.user.refresh_from_db()
    assert not member.user.is_active and not member.user.has_usable_password()
