"""The member's home page kept whole per member (sotay_plugins.pagecache): served without a query
while nothing it shows has changed, never to anyone else, never stale."""

import time
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.contrib import messages
from django.contrib.messages.storage import default_storage
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from editorial import publishing
from sotay_plugins import pagecache, versions
from sotay_plugins.meetings.models import Meeting
from sotay_plugins.orgtree import scope
from tests.factories import MemberFactory, document_page, grant, small_tree


@pytest.fixture(autouse=True)
def _on(settings):
    settings.SOTAY_PAGE_CACHE_SECONDS = 300


@pytest.fixture(autouse=True)
def _not_across_midnight():
    """A kept page ends at local midnight (it shows today's date: tested below), so a test that
    keeps a page and asks for it again must not straddle midnight in Hà Nội: run just after it."""
    left = (pagecache.end_of_today() - timezone.now()).total_seconds()
    if left < 30:
        time.sleep(left + 0.5)


@pytest.fixture
def world(db):
    tree = small_tree()
    return {
        "tree": tree,
        "a": MemberFactory(cell=tree["c11"], full_name="Nguyễn Thị An"),
        "b": MemberFactory(cell=tree["c11"], full_name="Trần Văn Bình"),
        "far": MemberFactory(cell=tree["c21"], full_name="Lê Văn Xa"),
    }


def logged_in(member):
    client = Client()
    client.force_login(member.user)
    client.get("/")  # the first visit sets the CSRF cookie: that answer is never kept
    return client


def home(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def kept(response):
    return getattr(response, "sotay_page_cache", None) == "hit"


def test_second_visit_is_served_whole_without_a_query(world):
    client = logged_in(world["a"])
    first, _ = home(client)  # rendered and kept
    second, queries = home(client)
    assert not kept(first) and kept(second) and queries == 0
    assert second.content == first.content and "Nguyễn Thị An" in second.content.decode()
    for header in ("Content-Type", "Content-Language", "Vary", "X-Frame-Options"):
        assert second.headers.get(header) == first.headers.get(header), header
    assert "Set-Cookie" not in second.headers


def test_a_kept_page_has_the_policy_and_privacy_headers_of_a_rendered_one(world):
    """The security middleware sit outside the page cache: a kept page gets them as it is served."""
    client = logged_in(world["a"])
    first, _ = home(client)
    second, _ = home(client)
    assert kept(second)
    for header in ("Content-Security-Policy", "Permissions-Policy", "Cache-Control"):
        assert second.headers.get(header) and second.headers.get(header) == first.headers.get(
            header
        ), header
    assert "no-store" in second.headers["Cache-Control"]
    # The kept body is served to later requests: it must carry no per-request nonce.
    assert "nonce-" not in first.headers["Content-Security-Policy"]


def test_never_served_to_another_session_or_person(world):
    a = logged_in(world["a"])
    home(a)
    assert kept(home(a)[0])
    b = logged_in(world["b"])
    response, _ = home(b)
    assert not kept(response) and "Trần Văn Bình" in response.content.decode()
    assert "Nguyễn Thị An" not in response.content.decode()
    # Somebody else's session id with a's CSRF cookie: the entry's key differs, nothing is served.
    thief = Client()
    thief.cookies["csrftoken"] = a.cookies["csrftoken"].value
    thief.cookies["sessionid"] = b.cookies["sessionid"].value
    response = thief.get("/")
    assert not kept(response) and "Nguyễn Thị An" not in response.content.decode()


def test_logout_and_expired_session_are_not_served(world):
    client = logged_in(world["a"])
    home(client)
    assert kept(home(client)[0])
    session_cookie, csrf_cookie = (
        client.cookies["sessionid"].value,
        client.cookies["csrftoken"].value,
    )
    client.logout()
    replay = Client()  # the old cookies, as a copied browser profile would send them
    replay.cookies["sessionid"], replay.cookies["csrftoken"] = session_cookie, csrf_cookie
    response = replay.get("/")
    assert response.status_code == 302 and not kept(response)  # to the login page


def test_password_change_and_deactivation_end_kept_pages(world):
    client = logged_in(world["a"])
    home(client)
    assert kept(home(client)[0])
    user = world["a"].user
    user.set_password("Mật-khẩu-mới-2026")
    user.save()
    assert client.get("/").status_code == 302  # Django's own check: the session's hash is stale
    client = logged_in(world["a"])
    home(client)
    assert kept(home(client)[0])
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get("/").status_code == 302


def test_what_the_cards_show_changes_the_page_at_once(world, django_capture_on_commit_callbacks):
    client = logged_in(world["a"])
    home(client)
    assert kept(home(client)[0])
    # The member's record (the welcome card).
    world["a"].full_name = "Nguyễn Thị An Bình"
    world["a"].save()
    response, _ = home(client)
    assert not kept(response) and "Nguyễn Thị An Bình" in response.content.decode()
    assert kept(home(client)[0])
    # Their cell renamed.
    cell = world["tree"]["c11"]
    cell.name = "Chi bộ Khu phố Mới"
    cell.save()
    response, _ = home(client)
    assert not kept(response) and "Chi bộ Khu phố Mới" in response.content.decode()
    # A meeting convened in their cell (the upcoming card) — one in another cell changes nothing.
    assert kept(home(client)[0])
    Meeting.objects.create(
        title="Họp chi bộ khác",
        issuer_org=world["tree"]["c21"],
        audience_org=world["tree"]["c21"],
        starts_at=timezone.now() + timedelta(days=1),
    )
    assert kept(home(client)[0])
    Meeting.objects.create(
        title="Sinh hoạt thường kỳ tháng 12",
        issuer_org=cell,
        audience_org=cell,
        starts_at=timezone.now() + timedelta(days=1),
    )
    response, _ = home(client)
    assert not kept(response) and "Sinh hoạt thường kỳ tháng 12" in response.content.decode()
    # A publication (the feed card).
    assert kept(home(client)[0])
    page = document_page(
        world["tree"]["d1"],
        title="Nghị quyết mới của Huyện 1",
        number="9-NQ/HU",
        slug="moi",
        live=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    response, _ = home(client)
    assert not kept(response) and "Nghị quyết mới của Huyện 1" in response.content.decode()


@pytest.mark.parametrize(
    "storage",
    [
        "django.contrib.messages.storage.session.SessionStorage",
        "django.contrib.messages.storage.cookie.CookieStorage",
    ],
)
def test_a_waiting_message_is_shown_not_a_kept_page(world, settings, storage):
    settings.MESSAGE_STORAGE = storage
    client = logged_in(world["a"])
    home(client)
    assert kept(home(client)[0])
    # What messages.success() in the last form's view leaves for the next page.
    request = RequestFactory().get("/")
    request.session = client.session
    request._messages = default_storage(request)
    messages.success(request, "Đã lưu thay đổi.")
    left = HttpResponse()
    request._messages.update(left)
    request.session.save()
    for name, morsel in left.cookies.items():
        client.cookies[name] = morsel.value
    response, _ = home(client)
    assert not kept(response) and "Đã lưu thay đổi." in response.content.decode()
    response, _ = home(client)  # shown once: the page kept before it is good again
    assert kept(response) and "Đã lưu thay đổi." not in response.content.decode()


def test_language_and_large_type_have_their_own_pages(world, settings):
    client = logged_in(world["a"])
    home(client)
    vietnamese = home(client)[0]
    assert kept(vietnamese) and 'lang="vi"' in vietnamese.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = home(client)[0]
    assert not kept(english) and 'lang="en"' in english.content.decode()
    assert kept(home(client)[0])
    client.cookies["sotay_large"] = "1"
    large = home(client)[0]
    assert not kept(large) and 'class="large"' in large.content.decode()


def test_staff_pages_query_strings_and_other_methods_are_never_kept(world):
    staff = MemberFactory(cell=world["tree"]["c11"])
    grant(staff.user, "viewer", world["tree"]["d1"])  # rights widen their feed: not a member's card
    client = logged_in(staff)
    home(client)
    assert not kept(home(client)[0])
    client = logged_in(world["a"])
    home(client)
    assert not kept(client.get("/?trang=2"))
    assert client.head("/").status_code == 200 and not kept(client.head("/"))
    assert kept(home(client)[0])


def test_off_when_the_setting_is_zero(world, settings):
    settings.SOTAY_PAGE_CACHE_SECONDS = 0
    client = logged_in(world["a"])
    home(client)
    assert not kept(home(client)[0])


def test_kept_no_later_than_the_cards_allow(world):
    """The welcome card shows today's date and "upcoming" starts today: midnight ends the page."""
    client = logged_in(world["a"])
    home(client)
    assert kept(home(client)[0])
    tomorrow = pagecache.end_of_today() + timedelta(minutes=1)
    with time_machine.travel(tomorrow, tick=False):
        assert not kept(home(client)[0])


def test_stamps_read_before_the_page_is_built(world):
    """A change while the page renders leaves an entry that is stale at once."""
    client = logged_in(world["a"])  # the CSRF cookie exists now: the next render is kept
    real = pagecache.offer

    def offer_then_change(request, depends):
        made = real(request, depends)
        versions.bump(
            scope.GRANTS_VERSION_KEY
        )  # someone's rights change after the stamps were read
        return made

    with mock.patch(
        "sotay_plugins.members.views.shell.pagecache.offer", side_effect=offer_then_change
    ):
        home(client)
    assert not kept(home(client)[0])
    assert kept(home(client)[0])


def test_importer_bulk_writes_end_the_pages_they_change(world):
    client = logged_in(world["a"])
    home(client)
    assert kept(home(client)[0])
    pagecache.touch_users(world["b"].user_id)  # somebody else: nothing changes for a
    assert kept(home(client)[0])
    pagecache.touch_everyone()
    assert not kept(home(client)[0])


def test_content_version_shared_helper(world):
    before = publishing.content_version()
    publishing.bump_content_version()
    assert publishing.content_version() != before
    assert versions.current_many(["x:new", publishing.CONTENT_VERSION_KEY])[
        publishing.CONTENT_VERSION_KEY
    ] == (publishing.content_version())


def test_forms_of_a_kept_page_still_post(world):
    """The kept page's CSRF token (masked at rendering) stays valid while the CSRF cookie is the
    same: the large-type and language switches work from a page served from the cache."""
    import re

    client = logged_in(world["a"])
    client.handler.enforce_csrf_checks = True
    home(client)
    page, _ = home(client)
    assert kept(page)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    response = client.post("/chu-lon/", {"csrfmiddlewaretoken": token, "on": "1", "next": "/"})
    assert response.status_code == 302, response.status_code
    large = home(client)[0]
    assert not kept(large) and 'class="large"' in large.content.decode()
