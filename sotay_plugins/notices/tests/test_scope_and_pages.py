"""Committees' notices through the scope engine, the member's pages and API, query counts."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from sotay_plugins.notices import services
from sotay_plugins.notices.models import Announcement, Notice, NoticeRequest, PushSubscription
from tests.factories import login, news_page

from .helpers import device_keys, run_jobs


def compose(user, **fields):
    with run_jobs():
        return services.compose(user, **{"title": "Thông báo", "body": "Nội dung", **fields})


def members_of(announcement):
    return set(
        Notice.objects.filter(dedupe_key=announcement.dedupe_key).values_list(
            "member_id", flat=True
        )
    )


@pytest.mark.django_db
def test_a_committee_notifies_its_subtree_only(tree, people, noon):
    district = people["district"]
    sent = compose(district, issuer_org=tree["d1"], audience_org=tree["b1"])
    assert members_of(sent) == {people[k].pk for k in ("secretary", "a", "b", "neighbour")}
    assert sent.state == Announcement.State.SENT and sent.recipients == 4
    # Outside the sender's subtree: refused, nothing written.
    with pytest.raises(ValidationError):
        compose(district, issuer_org=tree["d1"], audience_org=tree["c21"])
    with pytest.raises(PermissionDenied):
        compose(district, issuer_org=tree["d2"], audience_org=tree["c21"])
    with pytest.raises((ValidationError, PermissionDenied)):
        compose(people["secretary"].user, issuer_org=tree["c11"], audience_org=tree["b1"])
    assert Announcement.objects.count() == 1 and NoticeRequest.objects.count() == 1


@pytest.mark.django_db
def test_narrowed_by_position_and_group(tree, people, noon):
    district = people["district"]
    secretaries = compose(
        district,
        issuer_org=tree["d1"],
        audience_org=tree["d1"],
        audience_positions=frozenset({"bi_thu_chi_bo"}),
    )
    assert members_of(secretaries) == {people["secretary"].pk}
    exempt = compose(
        district,
        issuer_org=tree["d1"],
        audience_org=tree["d1"],
        audience_groups=frozenset({"exempt"}),
    )
    assert members_of(exempt) == {people["b"].pk}


@pytest.mark.django_db
def test_a_notice_about_a_page_reaches_only_its_readers(tree, people, noon):
    page = news_page(tree["c11"], title="Chỉ chi bộ 1.1")
    sent = compose(people["district"], issuer_org=tree["d1"], audience_org=tree["b1"], page=page)
    assert people["neighbour"].pk not in members_of(sent)
    assert members_of(sent) == {people[k].pk for k in ("secretary", "a", "b")}
    assert Notice.objects.filter(dedupe_key=sent.dedupe_key).first().url == page.url
    draft = news_page(tree["b1"], title="Nháp", live=False)
    with pytest.raises(ValidationError):
        compose(people["district"], issuer_org=tree["d1"], audience_org=tree["b1"], page=draft)


@pytest.mark.django_db
def test_a_scheduled_notice_goes_at_its_time(tree, people, noon):
    from django.utils import timezone

    later = compose(
        people["district"],
        issuer_org=tree["d1"],
        audience_org=tree["c11"],
        send_at=timezone.now() + timezone.timedelta(hours=2),
    )
    assert later.state == Announcement.State.SCHEDULED and not Notice.objects.exists()
    noon.shift(2 * 3600 + 5)
    with run_jobs():
        services.tick()
    later.refresh_from_db()
    assert later.state == Announcement.State.SENT and len(members_of(later)) == 3


@pytest.mark.django_db
def test_admin_listing_and_compose_are_scoped(client, tree, people, noon):
    mine = compose(people["district"], issuer_org=tree["d1"], audience_org=tree["c11"])
    theirs = compose(people["secretary"].user, issuer_org=tree["c11"], audience_org=tree["c11"])
    login(client, people["secretary"].user)
    response = client.get(reverse("notices_announcement:index"))
    assert response.status_code == 200
    assert {a.pk for a in response.context["object_list"]} == {theirs.pk}
    assert client.get(reverse("notices_announcement:inspect", args=[mine.pk])).status_code == 404
    # Composing for a unit outside the subtree is refused with nothing written.
    response = client.post(
        reverse("notices_announcement:add"),
        {
            "issuer_org": tree["c21"].pk,
            "audience_org": tree["c21"].pk,
            "title": "Sai phạm vi",
            "body": "x",
        },
    )
    assert response.status_code == 200 and not Announcement.objects.filter(title="Sai phạm vi")
    login(client, people["district"])
    response = client.get(reverse("notices_announcement:inspect", args=[mine.pk]))
    assert response.status_code == 200
    assert "Đã vào hộp thư" in response.content.decode()
    response = client.post(
        reverse("notices_announcement:add"),
        {"issuer_org": tree["d1"].pk, "audience_org": tree["b1"].pk, "title": "Mới", "body": "x"},
    )
    assert response.status_code == 302
    assert Announcement.objects.get(title="Mới").recipients == 4


def _fill(member, n):
    for i in range(n):
        services.request(
            kind="notices.announcement", member_ids=[member.pk], title=f"T{i}", dedupe_key=f"x:{i}"
        )


@pytest.mark.django_db
def test_inbox_page_newest_first_mark_read(client, people, noon, django_assert_max_num_queries):
    a = people["a"]
    with run_jobs():
        _fill(a, 25)
        _fill(people["b"], 2)
    login(client, a.user)
    client.get(reverse("notices:inbox"))  # warm the session and the caches
    with django_assert_max_num_queries(5):
        response = client.get(reverse("notices:inbox"))
    page = response.content.decode()
    assert response.status_code == 200
    titles = [n.title for n in response.context["notices"]]
    assert titles[:2] == ["T24", "T23"] and len(titles) == 20
    assert 'class="tab-badge">25<' in page
    older = client.get(reverse("notices:inbox"), {"truoc": response.context["older"]})
    assert [n.title for n in older.context["notices"]][-1] == "T0"
    first = Notice.objects.get(member=a, title="T24")
    # Someone else's notice: 404, nothing changed.
    other = Notice.objects.filter(member=people["b"]).first()
    assert client.get(reverse("notices:open", args=[other.pk])).status_code == 404
    assert client.post(reverse("notices:read", args=[other.pk])).status_code == 404
    assert Notice.objects.get(pk=other.pk).read_at is None
    assert client.get(reverse("notices:open", args=[first.pk])).status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    assert 'class="tab-badge">24<' in client.get(reverse("notices:inbox")).content.decode()
    client.post(reverse("notices:read_all"))
    assert not Notice.objects.filter(member=a, read_at__isnull=True).exists()
    assert "tab-badge" not in client.get(reverse("notices:inbox")).content.decode()
    assert Notice.objects.filter(member=people["b"], read_at__isnull=True).count() == 2


@pytest.mark.django_db
def test_open_goes_only_to_a_local_page(client, people, noon):
    with run_jobs():
        services.request(
            kind="notices.announcement",
            member_ids=[people["a"].pk],
            title="x",
            url="https://evil.example/",
            dedupe_key="evil",
        )
    login(client, people["a"].user)
    notice = Notice.objects.get()
    response = client.get(reverse("notices:open", args=[notice.pk]))
    assert response["Location"] == reverse("notices:inbox")


@pytest.mark.django_db
def test_preferences_page(client, people, noon):
    login(client, people["a"].user)
    response = client.get(reverse("notices:preferences"))
    assert response.status_code == 200
    response = client.post(
        reverse("notices:preferences"),
        {"mode-notices.announcement": "off", "email": "", "quiet_start": "21:00", "quiet_end": ""},
    )
    assert response.status_code == 200  # half a quiet-hours range: refused, nothing saved
    assert not services.Preference.objects.exists()
    response = client.post(
        reverse("notices:preferences"),
        {"mode-notices.announcement": "digest", "email": "a@example.org"},
    )
    assert response.status_code == 302
    assert services.default_mode("notices.announcement") == "immediate"
    assert (
        dict((k, mode) for k, _l, mode, _r in services.member_modes(people["a"]))[
            "notices.announcement"
        ]
        == "digest"
    )


@pytest.mark.django_db
def test_api_notices(api, people, noon, django_assert_max_num_queries):
    a = people["a"]
    with run_jobs():
        _fill(a, 3)
        _fill(people["b"], 1)
    api.force_authenticate(a.user)
    with django_assert_max_num_queries(4):
        response = api.get("/api/v1/notices/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["title"] for r in rows] == ["T2", "T1", "T0"] and rows[0]["read"] is False
    other = Notice.objects.get(member=people["b"])
    assert api.post(f"/api/v1/notices/{other.pk}/read/").status_code == 404
    assert api.post(f"/api/v1/notices/{rows[0]['id']}/read/").json() == {"changed": 1}
    assert api.get("/api/v1/notices/", {"unread": "1"}).json()["count"] == 2
    assert api.post("/api/v1/notices/read-all/").json() == {"changed": 2}
    assert Notice.objects.get(pk=other.pk).read_at is None


@pytest.mark.django_db
def test_api_preferences(api, people):
    api.force_authenticate(people["a"].user)
    data = api.get("/api/v1/notices/preferences/").json()
    kinds = {row["kind"]: row for row in data["modes"]}
    assert kinds["notices.announcement_required"]["required"] is True
    bad = api.put(
        "/api/v1/notices/preferences/",
        {"modes": [{"kind": "notices.announcement_required", "mode": "off"}]},
        format="json",
    )
    assert bad.status_code == 400 and "bắt buộc" in bad.json()["detail"]
    bad = api.put(
        "/api/v1/notices/preferences/",
        {"modes": [{"kind": "notices.announcement", "mode": "sometimes"}]},
        format="json",
    )
    assert bad.status_code == 400
    assert not services.Preference.objects.exists()
    ok = api.put(
        "/api/v1/notices/preferences/",
        {"modes": [{"kind": "notices.announcement", "mode": "digest"}], "email": "a@example.org"},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["email"] == "a@example.org"


@pytest.mark.django_db
def test_api_push_subscriptions(api, people, settings):
    settings.SOTAY_PUSH_ALLOW_LOCAL_ENDPOINTS = False
    _key, p256dh, auth = device_keys()
    api.force_authenticate(people["a"].user)
    url = "/api/v1/notices/push-subscriptions/"
    good = {"endpoint": "https://updates.push.services.mozilla.com/wpush/v2/abc", "p256dh": p256dh}
    bad = api.post(
        url, {**good, "endpoint": "http://127.0.0.1:8000/x", "auth": auth}, format="json"
    )
    assert bad.status_code == 400 and "endpoint" in bad.json()["fields"]
    bad = api.post(url, {**good, "p256dh": "AAAA", "auth": auth}, format="json")
    assert bad.status_code == 400 and "p256dh" in bad.json()["fields"]
    bad = api.post(url, {**good, "auth": "x"}, format="json")
    assert bad.status_code == 400 and "auth" in bad.json()["fields"]
    assert not PushSubscription.objects.exists()
    created = api.post(url, {**good, "auth": auth}, format="json")
    assert created.status_code == 201
    again = api.post(url, {**good, "auth": auth}, format="json")
    assert again.status_code == 201 and PushSubscription.objects.count() == 1
    pk = created.json()["id"]
    api.force_authenticate(people["b"].user)
    assert api.delete(f"{url}{pk}/").status_code == 404
    api.force_authenticate(people["a"].user)
    assert api.delete(f"{url}{pk}/").status_code == 204
    assert not PushSubscription.objects.exists()


@pytest.mark.django_db
def test_service_worker_at_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/"
    assert b"notificationclick" in response.content


@pytest.mark.django_db
def test_a_page_outside_the_senders_scope_is_refused_and_not_offered(client, tree, people, noon):
    """Review: the notice form's page chooser must not let a committee link another district's
    page (by the chooser, or by an id posted by hand past it)."""
    district = people["district"]
    inside = news_page(tree["c11"], title="Tin của chi bộ 1.1")
    outside = news_page(tree["d2"], title="Tin riêng của huyện 2")
    province = news_page(tree["province"], title="Tin của tỉnh gửi toàn tỉnh")
    assert services.choosable_by(district, inside)
    assert services.choosable_by(district, province)  # addressed to the district's units too
    assert not services.choosable_by(district, outside)
    # The service refuses, in Vietnamese, and writes nothing.
    with pytest.raises(ValidationError) as refused:
        compose(district, issuer_org=tree["d1"], audience_org=tree["b1"], page=outside)
    assert "phạm vi đơn vị mình phụ trách" in str(refused.value.message_dict["page"])
    assert not Announcement.objects.exists() and not Notice.objects.exists()
    # The admin form, with the page id posted by hand: the same refusal on the field.
    login(client, district)
    response = client.post(
        reverse("notices_announcement:add"),
        {
            "issuer_org": tree["d1"].pk,
            "audience_org": tree["b1"].pk,
            "title": "Gắn trang ngoài phạm vi",
            "body": "x",
            "page": outside.pk,
        },
    )
    assert response.status_code == 200
    assert "phạm vi đơn vị mình phụ trách" in str(response.context["form"].errors["page"])
    assert not Announcement.objects.filter(title="Gắn trang ngoài phạm vi").exists()
    # The chooser's listing (search across the tree) shows the district's and the province's
    # pages, never the other district's.
    response = client.get(reverse("wagtailadmin_choose_page_search"), {"q": "Tin"})
    assert response.status_code == 200
    listed = response.content.decode()
    assert inside.title in listed and province.title in listed
    assert outside.title not in listed
    # The chosen-page endpoint answers 404 for it too.
    chosen = client.get(reverse("wagtailadmin_choose_page_chosen_multiple"), {"id": outside.pk})
    assert chosen.status_code == 404
    # A page in scope is linked and reaches its readers.
    response = client.post(
        reverse("notices_announcement:add"),
        {
            "issuer_org": tree["d1"].pk,
            "audience_org": tree["b1"].pk,
            "title": "Gắn trang đúng phạm vi",
            "body": "x",
            "page": inside.pk,
        },
    )
    assert response.status_code == 302
    assert Announcement.objects.get(title="Gắn trang đúng phạm vi").page_id == inside.pk
