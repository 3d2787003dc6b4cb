"""Resolutions: who reads them (scope), the reader, reading to the end (idempotent), the study
status and its points, the API, and bad input."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sotay_plugins import signals
from sotay_plugins.study.resolutions import services
from sotay_plugins.study.resolutions.models import ResolutionStudy, StudyIndexPage
from tests.factories import login

from .resolutions_helpers import api_for, resolution, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


@pytest.fixture
def points():
    sent = []

    def receiver(sender, **kwargs):
        sent.append((kwargs["rule"], kwargs["member_id"], kwargs["source"]))

    signals.points_earned.connect(receiver, weak=False, dispatch_uid="test-study-points")
    yield sent
    signals.points_earned.disconnect(dispatch_uid="test-study-points")


def test_the_index_page_gets_the_sites_editorial_workflow(w):
    page = resolution(w["tree"]["province"])
    index = StudyIndexPage.objects.get()
    assert page.get_parent().specific == index
    workflow = page.get_workflow()
    assert workflow is not None
    from wagtail.models import Site

    assert workflow == Site.objects.get(is_default_site=True).root_page.get_workflow()


def test_a_member_of_another_district_neither_lists_nor_opens_it(w, client):
    page = resolution(w["tree"]["d1"])
    login(client, w["a"].user)
    home = client.get(reverse("study:home"))
    assert home.status_code == 200 and page.title in home.content.decode()
    assert client.get(reverse("study:resolution", args=[page.pk])).status_code == 200
    login(client, w["far"].user)
    home = client.get(reverse("study:home"))
    assert page.title not in home.content.decode()
    assert client.get(reverse("study:resolution", args=[page.pk])).status_code == 404
    assert client.post(reverse("study:resolution_read", args=[page.pk])).status_code == 404
    assert not ResolutionStudy.objects.filter(member=w["far"]).exists()
    api = api_for(w["far"].user)
    assert api.get(f"/api/v1/resolutions/{page.pk}/").status_code == 404
    assert api.get("/api/v1/resolutions/").json()["count"] == 0
    assert api.post(f"/api/v1/resolutions/{page.pk}/read/", {}, format="json").status_code == 404


def test_a_draft_is_read_by_nobody(w, client):
    page = resolution(w["tree"]["province"], live=False)
    login(client, w["a"].user)
    assert client.get(reverse("study:resolution", args=[page.pk])).status_code == 404


def test_reading_to_the_end_is_recorded_once_and_earns_once(
    w, client, points, django_capture_on_commit_callbacks
):
    page = resolution(w["tree"]["province"])
    login(client, w["a"].user)
    with django_capture_on_commit_callbacks(execute=True):
        opened = client.get(reverse("study:resolution", args=[page.pk]))
    assert opened.status_code == 200
    assert services.study_status(w["a"], page).step == "reading"
    url = reverse("study:resolution_read", args=[page.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"via": "text"}, HTTP_ACCEPT="application/json")
        again = client.post(url, {"via": "audio"}, HTTP_ACCEPT="application/json")
        button = client.post(url, {"via": "button"})
    assert first.json()["first_time"] is True and first.json()["read"] is True
    assert again.json()["first_time"] is False
    assert button.status_code == 302
    row = ResolutionStudy.objects.get(member=w["a"], resolution=page)
    assert row.read_via == "text" and row.completed_at is None
    assert points == [("study.read", w["a"].pk, f"study.resolutionpage:{page.pk}")]
    assert ResolutionStudy.objects.count() == 1


def test_study_completes_once_when_read_and_quiz_passed_in_either_order(
    w, points, django_capture_on_commit_callbacks
):
    page = resolution(w["tree"]["province"])
    source = f"study.resolutionpage:{page.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.mark_quiz_passed(w["a"].pk, page.pk) is True
        assert services.mark_quiz_passed(w["a"].pk, page.pk) is False
        assert not services.study_status(w["a"], page).completed
        status, first = services.mark_read(w["a"], page, "audio")
        services.mark_read(w["a"], page, "text")
    assert first and status.completed and status.percent == 100
    assert points == [("study.read", w["a"].pk, source), ("study.completed", w["a"].pk, source)]
    points.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_read(w["b"], page)
        assert services.mark_quiz_passed(w["b"].pk, page.pk) is True
        services.mark_quiz_passed(w["b"].pk, page.pk)
    assert [p[0] for p in points] == ["study.read", "study.completed"]


def test_the_reader_escapes_html_and_script_in_its_fields(w, client):
    page = resolution(
        w["tree"]["province"],
        title="<script>alert(1)</script>Nghị quyết",
        summary='<img src=x onerror="alert(2)">',
        issued_by="<b>Bộ Chính trị</b>",
    )
    login(client, w["a"].user)
    html = client.get(reverse("study:resolution", args=[page.pk])).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "<img src=x" not in html and "<b>Bộ Chính trị</b>" not in html
    body = api_for(w["a"].user).get(f"/api/v1/resolutions/{page.pk}/").json()
    assert body["title"].startswith("<script>")  # JSON carries text; the client escapes it


def test_outline_per_audience_and_a_bad_audience_falls_back(w, client):
    page = resolution(w["tree"]["province"])
    login(client, w["a"].user)
    url = reverse("study:resolution", args=[page.pk])
    assert "Đề cương cho đảng viên" in client.get(url).content.decode()
    other = client.get(url, {"doi-tuong": "doan_vien_hoi_vien"}).content.decode()
    assert "Đề cương cho hội viên" in other
    assert "Đề cương cho đảng viên" in client.get(url, {"doi-tuong": "<x>"}).content.decode()


def test_member_pages_stay_within_ten_queries(w, client, django_assert_max_num_queries):
    pages = [resolution(w["tree"]["province"], number=f"{n}-NQ/TW") for n in range(5)]
    services.mark_read(w["a"], pages[0])
    login(client, w["a"].user)
    client.get(reverse("study:home"))  # warm the per-process caches (grants, subject)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("study:home")).status_code == 200
    url = reverse("study:resolution", args=[pages[1].pk])
    client.get(url)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


def test_api_lists_with_org_fields_status_and_pages(w):
    for n in range(3):
        resolution(w["tree"]["province"], number=f"{n}-NQ/TW")
    api = api_for(w["a"].user)
    body = api.get("/api/v1/resolutions/", {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2
    first = body["results"][0]
    assert first["issuer_org"] == first["audience_org"] == w["tree"]["province"].pk
    assert first["my_status"]["step"] == "new"
    detail = api.get(f"/api/v1/resolutions/{first['id']}/").json()
    assert {o["audience"] for o in detail["outlines"]} == {"dang_vien", "doan_vien_hoi_vien"}
    assert "Khoa học, công nghệ" in detail["body"]
    done = api.post(f"/api/v1/resolutions/{first['id']}/read/", {"via": "text"}, format="json")
    assert done.status_code == 200 and done.json()["status"]["read"] is True
    bad = api.post(f"/api/v1/resolutions/{first['id']}/read/", {"via": "fax"}, format="json")
    assert bad.status_code == 400 and "via" in bad.json()["fields"]


def test_staff_without_a_member_record_cannot_record_reading(w):
    page = resolution(w["tree"]["province"])
    api = api_for(w["province_officer"])
    assert api.get(f"/api/v1/resolutions/{page.pk}/").status_code == 200
    refused = api.post(f"/api/v1/resolutions/{page.pk}/read/", {}, format="json")
    assert refused.status_code == 403 and refused.json()["detail"]
    assert not ResolutionStudy.objects.exists()


def test_audio_upload_must_be_audio(w):
    page = resolution(w["tree"]["province"])
    page.audio = SimpleUploadedFile("doc.mp3", b"%PDF-1.4 not audio", content_type="audio/mpeg")
    with pytest.raises(ValidationError) as err:
        page.clean()
    assert "audio" in err.value.message_dict
    page.audio = SimpleUploadedFile("doc.exe", b"ID3\x03\x00", content_type="audio/mpeg")
    with pytest.raises(ValidationError):
        page.clean()
    page.audio = SimpleUploadedFile("doc.mp3", b"ID3\x03\x00\x00\x00" + b"\x00" * 64)
    page.clean()


def test_audio_file_is_served_only_to_readers(w, client, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    page = resolution(w["tree"]["d1"])
    page.audio = SimpleUploadedFile("nq57.mp3", b"ID3\x03\x00" + b"\x00" * 64)
    page.save()
    url = reverse("study:resolution_audio", args=[page.pk])
    login(client, w["a"].user)
    ok = client.get(url)
    assert ok.status_code == 200 and ok["Content-Type"] == "audio/mpeg"
    login(client, w["far"].user)
    assert client.get(url).status_code == 404


def test_not_started_then_reading_shows_in_progress(w, client):
    page = resolution(w["tree"]["province"])
    login(client, w["a"].user)
    assert "Chưa bắt đầu" in client.get(reverse("study:home")).content.decode()
    services.mark_read(w["a"], page)
    assert "còn bài kiểm tra" in client.get(reverse("study:home")).content.decode()


def test_page_rights_follow_the_issuing_unit(w):
    from sotay_plugins.study.resolutions.permissions import page_rights

    page = resolution(w["tree"]["d1"])
    assert page_rights(w["d1_officer"], page) == {"change"}
    assert page_rights(w["province_officer"], page) == {"change"}
    assert page_rights(w["d2_officer"], page) == set()
    assert page_rights(w["a"].user, page) == set()
    assert not page.permissions_for_user(w["d2_officer"]).can_edit()
    assert not page.permissions_for_user(w["d1_officer"]).can_publish()
