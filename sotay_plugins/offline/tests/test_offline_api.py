"""The server side of the offline app (issue 18): what a phone may keep (the manifest, scoped by
the modules through the scope engine), the re-check when it is back online, exactly once for
what it queued, the service worker's versioned shell, and that keeping is never counted as
reading."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from editorial.models import Bookmark, DocumentFile, LibraryFile, ReadReceipt
from sotay_plugins import serviceworker
from sotay_plugins.meetings.models import Material, MaterialOpen, MeetingComment, MeetingMaterial
from sotay_plugins.members import credentials
from sotay_plugins.models import IdempotencyKey
from sotay_plugins.offline import services
from tests.factories import MemberFactory, document_page, login, news_page

from .helpers import PDF, cell_meeting, soon

pytestmark = pytest.mark.django_db

MANIFEST = "/api/v1/offline/manifest/"
RECHECK = "/api/v1/offline/recheck/"


def stored_pdf(name="nghi-quyet.pdf"):
    stored = LibraryFile(title="Toàn văn", file=ContentFile(PDF, name=name))
    stored.save()
    return stored


@pytest.fixture
def world(tree):
    a = MemberFactory(cell=tree["c11"], full_name="Đảng viên A")
    far = MemberFactory(cell=tree["c21"], full_name="Đảng viên Xa")
    mine = document_page(tree["d1"], title="Nghị quyết huyện 1", number="1-NQ/HU")
    pdf = stored_pdf()
    DocumentFile(page=mine, file=pdf).save()
    news = news_page(tree["province"], title="Tin của tỉnh")
    other = document_page(tree["d2"], title="Văn bản huyện 2", number="2-NQ/HU")
    meeting = cell_meeting(tree["c11"], soon(), title="Sinh hoạt tháng")
    upper = Material.objects.create(
        issuer_org=tree["province"], audience_org=tree["province"], title="Tài liệu của tỉnh"
    )
    upper.file.save("tai-lieu.pdf", ContentFile(PDF), save=True)
    internal = Material.objects.create(
        issuer_org=tree["c11"], audience_org=tree["c11"], title="Nội bộ chi bộ 1.1"
    )
    secretaries_only = Material.objects.create(
        issuer_org=tree["province"],
        audience_org=tree["province"],
        title="Chỉ cho bí thư",
        audience_positions=frozenset({"bi_thu_chi_bo"}),
    )
    neighbours = Material.objects.create(
        issuer_org=tree["c12"], audience_org=tree["c12"], title="Nội bộ chi bộ 1.2"
    )
    # Written straight to the table: a pick the service would refuse (another cell's internal
    # material) must still never reach a member of this cell.
    for material in (upper, internal, secretaries_only, neighbours):
        MeetingMaterial.objects.create(meeting=meeting, material=material)
    far_meeting = cell_meeting(tree["c21"], soon(), title="Sinh hoạt chi bộ 2.1")
    MeetingMaterial.objects.create(meeting=far_meeting, material=upper)
    # A bookmark of a page outside the member's scope (it left it since): never kept.
    for page in (mine, news, other):
        Bookmark.objects.create(member=a, page=page)
    return locals() | {"tree": tree}


def ids(answer):
    return {item["id"] for item in answer.json()["items"]}


def test_the_manifest_lists_what_the_member_may_read_and_nothing_else(api, world):
    w = world
    api.force_authenticate(w["a"].user)
    answer = api.get(MANIFEST)
    assert answer.status_code == 200
    assert ids(answer) == {
        "members:card",
        f"editorial:p{w['mine'].pk}",
        f"editorial:p{w['news'].pk}",
        f"meetings:m{w['meeting'].pk}",
        f"meetings:t{w['upper'].pk}",
        f"meetings:t{w['internal'].pk}",
    }
    items = {item["id"]: item for item in answer.json()["items"]}
    document = items[f"editorial:p{w['mine'].pk}"]
    pdf = reverse("editorial:file", args=[w["pdf"].pk])
    assert document["url"] == w["mine"].url and document["kind"] == "document-bookmarked"
    assert document["files"] == [pdf, f"{pdf}?xem=1", f"{pdf}doc/"]
    material = items[f"meetings:t{w['upper'].pk}"]
    assert material["files"] == [reverse("meetings:material_file", args=[w["upper"].pk])]
    card = items["members:card"]
    assert card["url"] == "/ma-qr/the-giay/" and card["stands_for"] == ["/ma-qr/"]
    assert answer.json()["member"] == services.member_tag(w["a"].user)


def test_another_cells_member_gets_none_of_this_cells_meeting(api, world):
    w = world
    api.force_authenticate(w["far"].user)
    found = ids(api.get(MANIFEST))
    assert f"meetings:m{w['meeting'].pk}" not in found
    assert f"meetings:t{w['internal'].pk}" not in found
    assert f"meetings:m{w['far_meeting'].pk}" in found
    assert f"meetings:t{w['upper'].pk}" in found  # the province's, picked by their own cell
    assert f"meetings:t{w['neighbours'].pk}" not in found
    assert not any(i.startswith("editorial:") for i in found)  # bookmarks are per member


def test_a_withdrawn_page_leaves_the_manifest(api, world):
    w = world
    w["mine"].unpublish()
    api.force_authenticate(w["a"].user)
    assert f"editorial:p{w['mine'].pk}" not in ids(api.get(MANIFEST))


def test_recently_opened_pages_are_kept_too(api, world):
    w = world
    recent = document_page(w["tree"]["province"], title="Vừa đọc", number="9-NQ/TU")
    ReadReceipt.count_daily(recent, w["a"].pk, counters=("opens",))
    api.force_authenticate(w["a"].user)
    items = {i["id"]: i for i in api.get(MANIFEST).json()["items"]}
    assert items[f"editorial:p{recent.pk}"]["kind"] == "document"


def test_the_manifest_takes_the_same_queries_for_one_or_many_items(
    api, world, django_assert_max_num_queries
):
    w = world
    api.force_authenticate(w["a"].user)
    api.get(MANIFEST)  # warm the site root paths cache
    with django_assert_max_num_queries(16) as few:
        api.get(MANIFEST)
    for n in range(6):
        page = document_page(w["tree"]["d1"], title=f"Thêm {n}", number=f"{n}-NQ/HU")
        DocumentFile(page=page, file=stored_pdf(f"them-{n}.pdf")).save()
        Bookmark.objects.create(member=w["a"], page=page)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get(MANIFEST).json()["items"]) == 12


def test_anonymous_callers_get_nothing(api):
    assert api.get(MANIFEST).status_code in (401, 403)
    assert api.post(RECHECK, {"ids": []}, format="json").status_code in (401, 403)


# --- the re-check ------------------------------------------------------------------------------


def test_the_recheck_answers_what_is_still_visible(api, world):
    w = world
    kept = [
        f"editorial:p{w['mine'].pk}",
        f"editorial:p{w['other'].pk}",  # never theirs
        f"meetings:t{w['internal'].pk}",
        f"meetings:t{w['neighbours'].pk}",  # another cell's internal material
        f"meetings:m{w['far_meeting'].pk}",  # another cell's meeting
        f"meetings:m{w['meeting'].pk}",
        "members:card",
        "nosuch:x1",  # a source that is not enabled
        "editorial:p99999999",
    ]
    api.force_authenticate(w["a"].user)
    answer = api.post(RECHECK, {"ids": kept}, format="json")
    assert answer.status_code == 200
    assert answer.json()["visible"] == [
        f"editorial:p{w['mine'].pk}",
        f"meetings:t{w['internal'].pk}",
        f"meetings:m{w['meeting'].pk}",
        "members:card",
    ]
    w["mine"].unpublish()  # its scope withdrawn while the phone was offline
    answer = api.post(RECHECK, {"ids": kept}, format="json")
    assert f"editorial:p{w['mine'].pk}" not in answer.json()["visible"]


@pytest.mark.parametrize(
    "body, words",
    [
        ({}, "ids"),
        ({"ids": "editorial:p1"}, "danh sách"),
        ({"ids": [1, 2]}, "không hợp lệ"),
        ({"ids": ["editorial:p1; DROP TABLE"]}, "không hợp lệ"),
        ({"ids": ["../../etc/passwd"]}, "không hợp lệ"),
        ({"ids": [None]}, "không hợp lệ"),
        ({"ids": [f"editorial:p{n}" for n in range(501)]}, "Quá nhiều"),
    ],
)
def test_bad_recheck_input_is_refused_in_vietnamese(api, world, body, words):
    api.force_authenticate(world["a"].user)
    answer = api.post(RECHECK, body, format="json")
    assert answer.status_code == 400
    assert words in answer.json()["detail"]


def test_a_json_array_body_is_refused(api, world):
    api.force_authenticate(world["a"].user)
    assert api.post(RECHECK, [1, 2], format="json").status_code == 400


def test_the_recheck_is_bounded_in_queries(api, world, django_assert_max_num_queries):
    w = world
    api.force_authenticate(w["a"].user)
    many = [f"editorial:p{n}" for n in range(1, 200)] + [f"meetings:t{n}" for n in range(1, 200)]
    with django_assert_max_num_queries(10):
        assert api.post(RECHECK, {"ids": many}, format="json").status_code == 200


# --- the printed card ------------------------------------------------------------------------


def test_the_kept_card_is_the_printed_cards_token(client, world):
    w = world
    login(client, w["a"].user)
    page = client.get("/ma-qr/the-giay/")
    assert page.status_code == 200
    assert "thẻ giấy" in page.content.decode()
    token = credentials.card_token(w["a"])
    assert credentials.read_token(token)[2] == credentials.CARD
    # The same QR as the card's: what the page draws is the card token's matrix.
    from sotay_plugins.members import cards

    assert cards.qr_svg(token, label="x").split("<path d=")[1][:200] in page.content.decode()


def test_the_card_leaves_when_the_member_record_does(api, world):
    w = world
    w["a"].status = "transferred"
    w["a"].save()
    api.force_authenticate(w["a"].user)
    assert api.post(RECHECK, {"ids": ["members:card"]}, format="json").json()["visible"] == []


# --- exactly once ----------------------------------------------------------------------------


def test_the_same_bookmark_key_twice_is_one_effect(api, world):
    w = world
    page = document_page(w["tree"]["d1"], title="Đọc sau", number="3-NQ/HU")
    api.force_authenticate(w["a"].user)
    headers = {"Idempotency-Key": "key-bookmark-0001"}
    first = api.post("/api/v1/bookmarks/", {"page": page.pk}, format="json", headers=headers)
    Bookmark.objects.filter(page=page).delete()  # the member removed it since, on another device
    again = api.post("/api/v1/bookmarks/", {"page": page.pk}, format="json", headers=headers)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert not Bookmark.objects.filter(page=page).exists()  # the replay did nothing
    assert IdempotencyKey.objects.filter(user=w["a"].user).count() == 1


def test_the_same_comment_key_twice_is_one_comment(api, world):
    w = world
    api.force_authenticate(w["a"].user)
    url = f"/api/v1/meetings/{w['meeting'].pk}/comments/"
    headers = {"Idempotency-Key": "0f8fad5b-d9cb-469f-a165-70867728950e"}
    answers = [
        api.post(url, {"text": "Góp ý gửi khi có mạng"}, format="json", headers=headers)
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert MeetingComment.objects.filter(meeting=w["meeting"]).count() == 1
    assert len({a.json()["id"] for a in answers}) == 1
    # Without a key, each post is its own comment (as before).
    api.post(url, {"text": "Thêm một ý"}, format="json")
    assert MeetingComment.objects.filter(meeting=w["meeting"]).count() == 2


def test_keys_are_per_account(api, world, tree):
    w = world
    b = MemberFactory(cell=tree["c11"])
    url = f"/api/v1/meetings/{w['meeting'].pk}/comments/"
    headers = {"Idempotency-Key": "shared-key-00000001"}
    for member in (w["a"], b):
        api.force_authenticate(member.user)
        assert api.post(url, {"text": "Ý kiến"}, format="json", headers=headers).status_code == 201
    assert MeetingComment.objects.filter(meeting=w["meeting"]).count() == 2


def test_a_key_reused_for_another_request_is_refused(api, world):
    w = world
    api.force_authenticate(w["a"].user)
    url = f"/api/v1/meetings/{w['meeting'].pk}/comments/"
    headers = {"Idempotency-Key": "reused-key-000001"}
    api.post(url, {"text": "Ý thứ nhất"}, format="json", headers=headers)
    other = api.post(url, {"text": "Ý khác hẳn"}, format="json", headers=headers)
    assert other.status_code == 422 and "yêu cầu khác" in other.json()["detail"]
    assert MeetingComment.objects.filter(meeting=w["meeting"]).count() == 1


@pytest.mark.parametrize(
    "key", ["short", "x" * 65, "có dấu-00000000", "a b c d e f g h", "a/b/c/d/e/f"]
)
def test_a_malformed_key_is_refused_and_nothing_done(api, world, key):
    w = world
    api.force_authenticate(w["a"].user)
    url = f"/api/v1/meetings/{w['meeting'].pk}/comments/"
    answer = api.post(url, {"text": "Ý kiến"}, format="json", headers={"Idempotency-Key": key})
    assert answer.status_code == 400 and "Mã chống gửi trùng" in answer.json()["detail"]
    assert not MeetingComment.objects.exists() and not IdempotencyKey.objects.exists()


def test_a_refused_request_keeps_no_key(api, world):
    w = world
    api.force_authenticate(w["a"].user)
    headers = {"Idempotency-Key": "refused-key-00001"}
    hidden = api.post("/api/v1/bookmarks/", {"page": w["other"].pk}, format="json", headers=headers)
    assert hidden.status_code == 404 and not IdempotencyKey.objects.exists()
    empty = api.post(
        f"/api/v1/meetings/{w['meeting'].pk}/comments/",
        {"text": " "},
        format="json",
        headers=headers,
    )
    assert empty.status_code == 400 and not IdempotencyKey.objects.exists()


def test_a_key_still_running_asks_to_be_tried_again_and_changes_nothing(api, world):
    """The one 409 the phone's queue tries again carries Retry-After (a quiz answer after the
    deadline is a 409 without it, and is dropped from the queue with the server's reason)."""
    w = world
    api.force_authenticate(w["a"].user)
    IdempotencyKey.objects.create(user=w["a"].user, key="running-key-00001", fingerprint="x")
    url = f"/api/v1/meetings/{w['meeting'].pk}/comments/"
    headers = {"Idempotency-Key": "running-key-00001"}
    busy = api.post(url, {"text": "Ý kiến"}, format="json", headers=headers)
    assert busy.status_code == 409 and busy["Retry-After"] == "1"
    assert "đang được xử lý" in busy.json()["detail"]
    assert not MeetingComment.objects.exists()


# --- keeping is not reading --------------------------------------------------------------------


def test_a_prefetch_counts_no_open_and_no_download(client, world):
    w = world
    login(client, w["a"].user)
    prefetch = {"Sotay-Prefetch": "1"}
    pdf = reverse("editorial:file", args=[w["pdf"].pk])
    material = reverse("meetings:material", args=[w["upper"].pk])
    for url in (w["mine"].url, pdf, material, f"{material}tep/"):
        assert client.get(url, headers=prefetch).status_code == 200, url
    assert not ReadReceipt.objects.exists() and not MaterialOpen.objects.exists()
    client.get(w["mine"].url)
    client.get(material)
    assert ReadReceipt.objects.filter(member=w["a"], opens=1).exists()
    assert MaterialOpen.objects.filter(member=w["a"]).exists()


def test_a_prefetch_header_grants_nothing(client, world):
    login(client, world["far"].user)
    url = reverse("meetings:material", args=[world["internal"].pk])
    assert client.get(url, headers={"Sotay-Prefetch": "1"}).status_code == 404
    assert client.get(world["mine"].url, headers={"Sotay-Prefetch": "1"}).status_code == 404


# --- the service worker and its shell --------------------------------------------------------


def test_the_worker_precaches_the_shell_and_the_offline_page(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    head, _newline, body = response.content.decode().partition("\n")
    assert head.startswith("self.SOTAY = {") and '"/static/css/shell.css"' in head
    assert '"/ngoai-tuyen/"' in head and '"/static/js/offline.js"' in head
    assert "notificationclick" in body and "Idempotency-Key" in body
    assert '"Sotay-Queued": "1"' in body and 'has("Retry-After")' in body


def test_a_changed_shell_file_changes_the_worker(monkeypatch):
    first = serviceworker.worker_settings()[0]["version"]
    real = serviceworker._read

    def changed(name):
        body = real(name)
        return body + b"/* changed */" if name == "css/shell.css" else body

    monkeypatch.setattr(serviceworker, "_read", changed)
    assert serviceworker.worker_settings()[0]["version"] != first


def test_with_hashed_names_the_worker_lists_them(monkeypatch):
    class Hashed:
        """A stand-in for ManifestStaticFilesStorage after collectstatic."""

        hashed_files = {}

        def __init__(self, tag):
            self.tag = tag

        def url(self, name):
            stem, dot, ext = name.rpartition(".")
            return f"/static/{stem}.{self.tag}.{ext}"

    monkeypatch.setattr(serviceworker, "staticfiles_storage", Hashed("abc123"))
    serviceworker._kept_script.cache_clear()
    try:
        conf = serviceworker.worker_settings()[0]
        assert "/static/css/shell.abc123.css" in conf["precache"]
        assert b"/static/css/shell.abc123.css" in serviceworker.script()
        monkeypatch.setattr(serviceworker, "staticfiles_storage", Hashed("def456"))
        assert serviceworker.worker_settings()[0]["version"] != conf["version"]
    finally:
        serviceworker._kept_script.cache_clear()


def test_the_offline_page_is_vietnamese_and_personal_data_free(client, world):
    login(client, world["a"].user)
    page = client.get("/ngoai-tuyen/").content.decode()
    assert "Không có mạng" in page and "Thử lại" in page
    assert world["a"].full_name not in page and "csrfmiddlewaretoken" not in page


@pytest.mark.django_db(transaction=True)
def test_two_copies_racing_are_one_comment(tree):
    """Two copies of one queued comment arriving at once (a flush from two tabs): the key's row
    is written first in each transaction, so PostgreSQL makes the second wait for the first and
    then replays its answer."""
    import threading

    from django.db import connection
    from rest_framework.test import APIClient

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are PostgreSQL's promise, not SQLite's")
    member = MemberFactory(cell=tree["c11"])
    meeting = cell_meeting(tree["c11"], soon(), title="Sinh hoạt")
    url = f"/api/v1/meetings/{meeting.pk}/comments/"
    start, answers = threading.Barrier(2), []

    def post():
        client = APIClient()
        client.force_authenticate(member.user)
        start.wait()
        try:
            answers.append(
                client.post(
                    url,
                    {"text": "Một lần thôi"},
                    format="json",
                    headers={"Idempotency-Key": "race-key-0000001"},
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [201, 201]
    assert MeetingComment.objects.filter(meeting=meeting).count() == 1
    assert len({a.json()["id"] for a in answers}) == 1
