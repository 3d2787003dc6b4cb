"""Bad input the API must refuse cleanly (issue 12): a 400 or 404 with a Vietnamese ``detail``,
never a 500, and nothing changed.

Path parameters that are not integers, JSON that is an array or a bare value, bodies of 10 MB,
lists and objects where a string is expected, unknown fields, Unicode look-alikes of a CCCD, a
token in the URL query string; and the paths schemathesis found 500s on
(tests/api/test_schema_fuzz.py says which and why).
"""

import json

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from werkzeug.test import Client as WSGIClient

from config.wsgi import application
from sotay_plugins.meetings import services
from sotay_plugins.meetings.models import MeetingComment
from tests.factories import MemberFactory, document_page, grant

NOT_FOUND = "Không tìm thấy."
TEN_MB = 10 * 1024 * 1024


@pytest.fixture
def cell(tree):
    from datetime import timedelta

    secretary = MemberFactory(cell=tree["c11"], positions=frozenset({"bi_thu_chi_bo"}))
    grant(secretary.user, "cell_secretary", tree["c11"])
    member = MemberFactory(cell=tree["c11"])
    meeting = services.convene(
        tree["c11"],
        secretary.user,
        title="Họp",
        starts_at=timezone.now() + timedelta(days=2),
        place="Hội trường",
    )
    return {"member": member, "secretary": secretary, "meeting": meeting, "tree": tree}


def as_user(api, user):
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return api


def is_vietnamese_error(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert detail and detail.isascii() is False  # diacritics: a Vietnamese sentence
    return response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/meetings/abc/",
        "/api/v1/meetings/1.5/attendance/",
        "/api/v1/meetings/null,null/checkin/",
        "/api/v1/materials/null,null/",
        "/api/v1/materials/null,null/usage/",
        "/api/v1/documents/1/files/0.5/",
        "/api/v1/news/-1/",
        "/api/v1/bookmarks/%C2%84/",
        "/api/v1/no-such-thing/",
    ],
)
def test_path_parameters_that_are_not_integers_answer_the_json_404(api, cell, path):
    as_user(api, cell["secretary"].user)
    for method in ("get", "post", "patch", "delete"):
        response = getattr(api, method)(path, {}, format="json")
        if response.status_code == 405:
            continue
        assert is_vietnamese_error(response, 404)["detail"] == NOT_FOUND


def test_a_non_latin_path_through_the_wsgi_front_is_a_404_not_a_500(cell, django_db_blocker):
    """The real WSGI application (the front included), as a server calls it: Django's test
    client skips the front, where WSGIRequest rewrote the environ's path."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    token = Token.objects.get_or_create(user=cell["secretary"].user)[0].key
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        client = WSGIClient(application)
        response = client.post(
            "/api/v1/meetings/%C4%80/checkin/",
            json={"token": "x"},
            headers={"Authorization": f"Token {token}", "Host": "localhost"},
        )
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert response.status_code == 404
    assert response.get_json()["detail"] == NOT_FOUND


@pytest.mark.parametrize("body", ["[null, null]", "[]", '"cccd"', "3", "null", "true"])
def test_json_that_is_not_an_object_is_a_400(api, cell, body):
    for path in ("/api/v1/auth/token/", f"/api/v1/meetings/{cell['meeting'].pk}/comments/"):
        as_user(api, cell["member"].user)
        response = api.generic("POST", path, body, content_type="application/json")
        assert "JSON" in is_vietnamese_error(response, 400)["detail"]
    assert not MeetingComment.objects.exists()


def test_lists_objects_and_unknown_fields_where_strings_are_expected(api, cell):
    as_user(api, cell["member"].user)
    comments = f"/api/v1/meetings/{cell['meeting'].pk}/comments/"
    for text in (["a", "b"], {"a": 1}, None):  # (a number is read as its digits, as DRF does)
        response = api.post(comments, {"text": text}, format="json")
        assert "text" in is_vietnamese_error(response, 400)["fields"]
    response = api.post(comments, {"text": "Góp ý", "author": 1, "meeting": 99}, format="json")
    assert response.status_code == 201  # unknown fields are ignored, not stored
    assert MeetingComment.objects.get().member_id == cell["member"].pk
    for username in (["a"], {"a": 1}):
        response = api.post("/api/v1/auth/token/", {"username": username, "password": "x"}, "json")
        assert response.status_code == 403 and "token" not in response.json()


def test_a_ten_megabyte_body_is_refused_and_changes_nothing(api, cell):
    as_user(api, cell["member"].user)
    body = json.dumps({"text": "x" * TEN_MB})
    response = api.generic(
        "POST",
        f"/api/v1/meetings/{cell['meeting'].pk}/comments/",
        body,
        content_type="application/json",
    )
    assert is_vietnamese_error(response, 413)["detail"] == "Dữ liệu gửi lên quá lớn."
    assert not MeetingComment.objects.exists()
    response = api.generic("POST", "/api/v1/auth/token/", body, content_type="application/json")
    assert is_vietnamese_error(response, 413)


def test_unicode_look_alikes_of_a_cccd_are_the_same_account_or_none(api, cell):
    """Look-alike digits (full-width, Arabic-Indic) are the same number (members.cccd.normalise):
    they sign in to the member's own account, never another one; letters that look like digits
    and invisible characters sign in to nothing. No account is made either way."""
    from django.contrib.auth import get_user_model

    member = cell["member"]
    member.user.set_password("Matkhau@123")
    member.user.save()
    real = member.cccd
    users = get_user_model().objects.count()
    own = Token.objects.get_or_create(user=member.user)[0].key
    fullwidth = real.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    arabic_indic = real.translate({ord(d): 0x0660 + int(d) for d in "0123456789"})
    for username in (real, fullwidth, arabic_indic):
        response = api.post(
            "/api/v1/auth/token/", {"username": username, "password": "Matkhau@123"}, format="json"
        )
        assert response.status_code == 200 and response.json()["token"] == own, username
    for username in (real.replace("0", "O"), f"{real}\u200b", real.replace("3", "Ʒ")):
        response = api.post(
            "/api/v1/auth/token/", {"username": username, "password": "Matkhau@123"}, format="json"
        )
        assert response.status_code == 403, (username, response.content)
        assert "token" not in response.json() and response.json()["detail"]
    assert get_user_model().objects.count() == users


def test_a_token_in_the_query_string_is_not_a_credential(api, cell):
    key = Token.objects.get_or_create(user=cell["member"].user)[0].key
    for query in (f"token={key}", f"auth_token={key}", f"Authorization=Token%20{key}"):
        response = api.get(f"/api/v1/me/?{query}")
        assert is_vietnamese_error(response, 401)


@pytest.mark.parametrize(
    ("query", "field"),
    [("page=0", "page"), ("page=abc", "page"), ("page=-1", "page"), ("page_size=abc", "page_size")],
)
def test_malformed_paging_is_a_400_naming_the_field(api, cell, query, field):
    as_user(api, cell["member"].user)
    response = api.get(f"/api/v1/meetings/?{query}")
    assert field in is_vietnamese_error(response, 400)["fields"]


def test_paging_past_the_end_is_a_vietnamese_404_and_big_sizes_are_capped(api, cell):
    as_user(api, cell["member"].user)
    assert is_vietnamese_error(api.get("/api/v1/meetings/?page=99"), 404)
    response = api.get("/api/v1/meetings/?page_size=100000&page=last")
    assert response.status_code == 200 and response.json()["count"] == 1


def test_the_schema_documents_every_error_answer(api, cell):
    document_page(cell["tree"]["d1"])
    as_user(api, cell["member"].user)
    schema = api.get("/api/v1/schema/?format=json").json()
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = operation["responses"].keys()
            assert {"400", "404"} <= codes, (method, path)
            if path != "/api/v1/auth/token/":
                assert {"401", "403"} <= codes, (method, path)
    member = schema["components"]["schemas"]["Member"]["properties"]
    assert member["birth_date"]["nullable"] and member["phone"]["nullable"]
    assert schema["components"]["schemas"]["Organisation"]["properties"]["parent"]["nullable"]
