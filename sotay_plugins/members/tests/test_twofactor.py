"""Staff two-factor: enrol before the admin, verify once per session, a lost device reset by a
higher administrator (recorded); members keep the password-only shell; the API keeps tokens.

These tests log in with ``force_login(user, otp=False)``: the password step only (the suite's
default ``force_login`` also proves the second factor, see the root conftest).
"""

import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from sotay_plugins.members import twofactor
from tests.factories import MemberFactory, UserFactory, grant

pytestmark = pytest.mark.django_db
ADMIN = "/quan-tri/"


def unthrottle(user):
    """A wrong code makes the next try wait (django-otp's throttling); tests do not wait."""
    TOTPDevice.objects.filter(user=user).update(throttling_failure_count=0)
    StaticDevice.objects.filter(user=user).update(throttling_failure_count=0)


def code(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.fixture
def editor(tree):
    user = UserFactory()
    grant(user, "member_updater", tree["d1"])
    return user


def test_unverified_staff_enrol_before_any_admin_page(client, editor):
    client.force_login(editor, otp=False)
    response = client.get(f"{ADMIN}pages/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("members:twofactor_enrol"))
    assert "next=%2Fquan-tri%2Fpages%2F" in response.url

    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Đăng ký xác thực hai bước" in html
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', html)[1]
    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    assert device.config_url.split("secret=")[1].startswith(secret)

    wrong = client.post(response.url, {"code": "000000", "next": "/quan-tri/pages/"})
    assert "Mã không đúng" in wrong.content.decode()
    assert client.get(ADMIN).status_code == 302  # still not through
    unthrottle(editor)
    device.refresh_from_db()
    done = client.post(response.url, {"code": code(device), "next": "/quan-tri/pages/"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>(\w+)</code></li>", done.content.decode())
    assert len(codes) == twofactor.RECOVERY_CODES
    assert client.get(ADMIN).status_code == 200  # verified for this session


def test_enrolled_staff_verify_once_per_session_and_recovery_codes_work_once(client, editor):
    device = TOTPDevice.objects.create(user=editor, name="default", confirmed=False)
    codes = twofactor.confirm(device)
    client.force_login(editor, otp=False)
    response = client.get(ADMIN)
    assert response.url.startswith(reverse("members:twofactor_verify"))
    assert client.get(reverse("members:twofactor_enrol")).status_code == 302  # no second device
    bad = client.post(reverse("members:twofactor_verify"), {"code": "123456"})
    assert bad.status_code == 200 and "Mã không đúng" in bad.content.decode()
    unthrottle(editor)
    good = client.post(reverse("members:twofactor_verify"), {"code": codes[0], "next": ADMIN})
    assert good.status_code == 302 and good.url == ADMIN
    assert client.get(ADMIN).status_code == 200

    client.logout()
    client.force_login(editor, otp=False)  # a new session asks again; the used code is spent
    reused = client.post(reverse("members:twofactor_verify"), {"code": codes[0]})
    assert reused.status_code == 200
    assert client.get(ADMIN).status_code == 302
    unthrottle(editor)
    device.refresh_from_db()
    ok = client.post(reverse("members:twofactor_verify"), {"code": code(device), "next": ADMIN})
    assert ok.status_code == 302 and client.get(ADMIN).status_code == 200


def test_superusers_and_cell_secretaries_need_it_members_do_not(client, tree):
    boss = UserFactory(is_superuser=True)
    secretary = UserFactory()
    grant(secretary, "cell_secretary", tree["c11"])
    for user in (boss, secretary):
        client.force_login(user, otp=False)
        assert client.get(ADMIN).url.startswith(reverse("members:twofactor_enrol"))
        client.logout()
    member = MemberFactory(cell=tree["c11"])
    assert not twofactor.needs_two_factor(member.user)
    login = client.post(
        reverse("members:login"), {"username": member.user.username, "password": "Matkhau@123"}
    )
    assert login.status_code == 302
    assert client.get(reverse("members:home")).status_code == 200  # the shell: password only
    response = client.get(ADMIN)
    assert "xac-thuc-hai-buoc" not in response.url  # the admin refuses them as before


def test_staff_api_tokens_stay_password_only(api, editor):
    response = api.post(
        "/api/v1/auth/token/", {"username": editor.username, "password": "Matkhau@123"}
    )
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/me/").status_code == 200


def test_a_higher_full_admin_resets_a_lost_device_recorded(client, tree, editor):
    twofactor.confirm(TOTPDevice.objects.create(user=editor, confirmed=False))
    province_admin, peer_admin = UserFactory(), UserFactory()
    grant(province_admin, "full_admin", tree["province"])
    grant(peer_admin, "full_admin", tree["d1"])  # same unit as the editor: not above
    assert twofactor.may_reset(province_admin, editor)
    assert not twofactor.may_reset(peer_admin, editor)
    assert not twofactor.may_reset(editor, editor)
    assert not twofactor.may_reset(peer_admin, province_admin)
    assert twofactor.may_reset(UserFactory(is_superuser=True), province_admin)

    reset_url = reverse("members_twofactor:reset", args=[editor.pk])
    client.force_login(peer_admin)
    assert client.get(reset_url).status_code == 404
    assert client.post(reset_url).status_code == 404
    assert editor.username not in client.get(reverse("members_twofactor:index")).content.decode()
    client.force_login(editor)
    refused = client.get(reverse("members_twofactor:index"))
    assert refused.status_code == 302 and editor.username not in refused.content.decode()

    client.force_login(province_admin)
    listing = client.get(reverse("members_twofactor:index"))
    assert listing.status_code == 200 and editor.username in listing.content.decode()
    assert client.get(reset_url).status_code == 200
    assert client.post(reset_url).status_code == 302
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert not StaticDevice.objects.filter(user=editor).exists()
    entry = ModelLogEntry.objects.get(action=twofactor.RESET_ACTION)
    assert entry.user_id == province_admin.pk and entry.object_id == str(editor.pk)

    client.force_login(editor, otp=False)  # the editor enrols again
    assert client.get(ADMIN).url.startswith(reverse("members:twofactor_enrol"))
