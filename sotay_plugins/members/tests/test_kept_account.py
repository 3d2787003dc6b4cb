"""A signed-in person's account kept in the shared cache (sotay_plugins.members.backends): read
without a query while it is unchanged, never stale after a deactivation, a password change or
the admin's bulk actions, never holding the password hash."""

import pytest
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sotay_plugins import versions
from sotay_plugins.members import backends
from tests.factories import MemberFactory, small_tree

PASSWORD = "Matkhau@123"  # the factory's
ME = "/api/v1/me/"


@pytest.fixture(autouse=True)
def _kept(settings):
    settings.SOTAY_KEPT_ACCOUNT_SECONDS = 300


@pytest.fixture
def member(db):
    tree = small_tree()
    return MemberFactory(cell=tree["c11"], full_name="Nguyễn Thị An")


def sign_in(member, password=PASSWORD):
    """The real sign-in (the members' login form): the client, or None if it was refused."""
    client = Client()
    response = client.post("/dang-nhap/", {"username": member.cccd, "password": password})
    return client if response.status_code == 302 else None


def signed_in(member):
    client = sign_in(member)
    assert client is not None
    return client


def account_queries(client, path=ME):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return response, [q["sql"] for q in ctx.captured_queries if '"auth_user"' in q["sql"]]


def test_the_sign_in_names_the_kept_backend_and_a_later_request_reads_no_account(member):
    client = signed_in(member)
    assert client.session[BACKEND_SESSION_KEY] == backends.PATH
    first, _ = account_queries(client)  # read and kept
    second, queries = account_queries(client)
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert queries == []


def test_with_the_setting_at_zero_the_session_keeps_the_model_backend(member, settings):
    settings.SOTAY_KEPT_ACCOUNT_SECONDS = 0
    client = signed_in(member)
    assert client.session[BACKEND_SESSION_KEY] == backends.MODEL_BACKEND
    response, queries = account_queries(client)
    assert response.status_code == 200 and queries


def test_the_kept_entry_holds_no_password_hash(member):
    client = signed_in(member)
    client.get(ME)
    user = member.user
    stamp = versions.current(versions.person_key(user.pk))
    values, session_hash = cache.get(backends.account_key(user.pk, stamp))
    assert user.password not in values
    assert session_hash == user.get_session_auth_hash()


def test_a_deactivated_account_is_signed_out_at_its_next_request(member):
    client = signed_in(member)
    assert client.get(ME).status_code == 200  # kept
    member.user.is_active = False
    member.user.save()
    assert client.get(ME).status_code in (401, 403)


def test_an_admin_bulk_deactivation_signs_the_person_out(member, client, admin_user):
    """Wagtail's bulk action writes with QuerySet.update (no post_save): the members plugin's
    after_bulk_action hook moves the person's stamp on."""
    person = signed_in(member)
    assert person.get(ME).status_code == 200  # kept
    client.force_login(admin_user)
    User = get_user_model()
    url = reverse(
        "wagtail_bulk_action",
        args=(User._meta.app_label, User._meta.model_name, "set_active_state"),
    )
    response = client.post(f"{url}?id={member.user.pk}", {"mark_as_active": "False"})
    assert response.status_code == 302
    assert not User.objects.get(pk=member.user.pk).is_active
    assert person.get(ME).status_code in (401, 403)


def test_a_password_changed_elsewhere_signs_the_other_sessions_out(member):
    phone = signed_in(member)
    assert phone.get(ME).status_code == 200  # kept
    member.user.set_password("Another@2026-pass")
    member.user.save()
    assert phone.get(ME).status_code in (401, 403)


def test_the_session_that_changes_its_password_stays_signed_in(member, settings):
    """A password changed through the request's (kept) account: saved, and the session given
    the new check value, as a password change view does (``update_session_auth_hash``)."""
    client = signed_in(member)
    assert client.get(ME).status_code == 200  # the account is kept from here on
    request = RequestFactory().get("/")
    request.session = client.session
    user = request.user = auth.get_user(request)
    assert user.pk == member.user.pk and "password" not in user.__dict__  # the kept row
    user.set_password("Another@2026-pass")
    user.save()
    auth.update_session_auth_hash(request, user)
    request.session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key
    assert client.get(ME).status_code == 200
    assert sign_in(member) is None
    assert sign_in(member, "Another@2026-pass") is not None


def test_with_the_cache_down_the_account_is_read_from_the_database(member, monkeypatch):
    client = signed_in(member)
    monkeypatch.setattr(versions, "current_many", lambda keys: {})
    response, queries = account_queries(client)
    assert response.status_code == 200 and queries


def test_an_account_kept_under_another_secret_key_is_read_again(member, settings):
    """The kept check value is an HMAC under SECRET_KEY: after a rotation (the old key among
    the fallbacks) the account is read again and the session stays signed in."""
    client = signed_in(member)
    assert client.get(ME).status_code == 200  # kept under the first key
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY
    response, queries = account_queries(client)
    assert response.status_code == 200 and queries
