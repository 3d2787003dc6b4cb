"""Meeting materials from three levels: who sees them (internal ones: the cell only), picking
them for a meeting (the cell's secretary only), file checks, scoped downloads, opens counted
once a day, who has not opened them, and THE RULE: the issuing level learns only whether,
where and when its material was used — nothing else of the meeting."""

import io
import threading
import zipfile
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from sotay_plugins.meetings import materials as service
from sotay_plugins.meetings.models import (
    MANAGE_MATERIALS,
    VIEW_REPORTS,
    Attendance,
    Material,
    MaterialOpen,
    Meeting,
    MeetingComment,
    MeetingMaterial,
)
from sotay_plugins.meetings.tests.helpers import cell_meeting
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.models import Role
from sotay_plugins.orgtree.roles import CELL_SECRETARY, FULL_ADMIN, STAFF_CAPABILITY
from tests.factories import MemberFactory, grant, login, staff

SECRET = "BÍ-MẬT-CỦA-CHI-BỘ"


# --- helpers ---------------------------------------------------------------------------------


def pdf_bytes():
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def png_bytes():
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def material(issuer, audience=None, title=None, **extra):
    return Material.objects.create(
        issuer_org=issuer,
        audience_org=audience or issuer,
        title=title or f"Tài liệu của {issuer.name}",
        **extra,
    )


def meeting(cell, *, day=5, month=None, state=Meeting.State.SCHEDULED, attendees=(), **extra):
    when = timezone.make_aware(datetime(2026, month or 3, day, 8, 0))
    m = cell_meeting(cell, when, title=f"Sinh hoạt {cell.name}", state=state, **extra)
    Attendance.objects.bulk_create([Attendance(meeting=m, member=a) for a in attendees])
    return m


def issuing_role():
    """An advisory body's staff (Ban Tuyên giáo): publishes materials, reads reports; no meeting
    rights."""
    role, _created = Role.objects.get_or_create(
        code="tuyen_giao_tai_lieu",
        defaults={
            "name": "Ban Tuyên giáo (tài liệu)",
            "capabilities": [MANAGE_MATERIALS, VIEW_REPORTS, STAFF_CAPABILITY],
        },
    )
    return role


@pytest.fixture
def world(tree):
    issuing_role()
    w = dict(tree)
    w["sec11"] = MemberFactory(
        cell=tree["c11"], full_name="Bí thư Chi bộ 1.1", positions={"bi_thu_chi_bo"}
    )
    grant(w["sec11"].user, CELL_SECRETARY, tree["c11"])
    w["a11"] = MemberFactory(cell=tree["c11"], full_name="Trần Văn An")
    w["b11"] = MemberFactory(cell=tree["c11"], full_name="Lê Thị Bình")
    w["sec12"] = MemberFactory(
        cell=tree["c12"], full_name="Bí thư Chi bộ 1.2", positions={"bi_thu_chi_bo"}
    )
    grant(w["sec12"].user, CELL_SECRETARY, tree["c12"])
    w["a12"] = MemberFactory(cell=tree["c12"], full_name="Phạm Văn Cường")
    w["a21"] = MemberFactory(cell=tree["c21"], full_name="Đỗ Thị Dung")
    w["prov_staff"] = staff("tuyen_giao_tai_lieu", tree["province"])
    w["d1_staff"] = staff("tuyen_giao_tai_lieu", tree["d1"])
    w["d2_staff"] = staff("tuyen_giao_tai_lieu", tree["d2"])
    w["d1_admin"] = staff(FULL_ADMIN, tree["d1"])
    w["prov_mat"] = material(tree["province"], title="Chuyên đề Tỉnh ủy")
    w["d1_mat"] = material(tree["d1"], title="Tài liệu Huyện ủy 1")
    w["d2_mat"] = material(tree["d2"], title="Tài liệu Huyện ủy 2")
    w["b1_mat"] = material(tree["b1"], tree["c12"], title="Tài liệu Đảng ủy xã 1 cho chi bộ 1.2")
    w["int11"] = material(tree["c11"], title=f"Nội bộ chi bộ 1.1 {SECRET}")
    w["int12"] = material(tree["c12"], title="Nội bộ chi bộ 1.2")
    return w


def ids(queryset):
    return {m.pk for m in queryset}


# --- who sees what ---------------------------------------------------------------------------


def test_members_see_upper_levels_and_their_own_cell_only(world):
    w = world
    seen = ids(service.visible_materials(w["a11"].user))
    assert seen == {w["prov_mat"].pk, w["d1_mat"].pk, w["int11"].pk}
    seen12 = ids(service.visible_materials(w["a12"].user))
    assert seen12 == {w["prov_mat"].pk, w["d1_mat"].pk, w["b1_mat"].pk, w["int12"].pk}
    assert w["int11"].pk not in ids(service.visible_materials(w["a21"].user))


@pytest.mark.parametrize("who", ["d1_staff", "d1_admin", "prov_staff", "sec12"])
def test_committees_never_list_a_cells_internal_materials(world, who):
    user = world[who]
    for queryset in (service.managed_materials(user), service.visible_materials(user)):
        assert world["int11"].pk not in ids(queryset)
    if who != "sec12":
        assert world["d1_mat"].pk in ids(service.managed_materials(user))


def test_a_cells_secretary_manages_its_internal_materials(world):
    listed = ids(service.managed_materials(world["sec11"].user))
    assert listed == {world["int11"].pk}


def test_admin_listing_of_a_district_hides_internal_materials(world, client):
    login(client, world["d1_admin"])
    response = client.get(reverse("meetings_material:index"))
    assert response.status_code == 200
    listed = {m.pk for m in response.context["object_list"]}
    assert world["d1_mat"].pk in listed and world["b1_mat"].pk in listed
    assert world["int11"].pk not in listed and world["int12"].pk not in listed
    assert SECRET not in response.content.decode()
    # and the edit page of an internal material is out of reach
    assert (
        client.get(reverse("meetings_material:edit", args=[world["int11"].pk])).status_code == 404
    )


def test_api_of_a_district_never_lists_internal_materials(world, api):
    api.force_authenticate(world["d1_admin"])
    for query in ("", "?mine=1", "?level=cell"):
        response = api.get(reverse("api:material-list") + query)
        assert response.status_code == 200
        assert world["int11"].pk not in {row["id"] for row in response.json()["results"]}
    assert api.get(reverse("api:material-detail", args=[world["int11"].pk])).status_code == 404
    assert api.get(reverse("api:material-file", args=[world["int11"].pk])).status_code == 404


def test_api_objects_carry_issuer_and_audience(world, api):
    api.force_authenticate(world["a12"].user)
    response = api.get(reverse("api:material-detail", args=[world["b1_mat"].pk]))
    assert response.status_code == 200
    data = response.json()
    assert data["issuer_org"] == world["b1"].pk and data["audience_org"] == world["c12"].pk
    assert data["level"] == "base" and data["internal"] is False


def test_member_pages_404_out_of_scope(world, client):
    login(client, world["a12"].user)
    for name in ("meetings:material", "meetings:material_file"):
        assert client.get(reverse(name, args=[world["int11"].pk])).status_code == 404
        assert client.get(reverse(name, args=[world["d2_mat"].pk])).status_code == 404
    client.logout()
    assert client.get(reverse("meetings:material", args=[world["prov_mat"].pk])).status_code == 302


def test_reaching_cell_agrees_with_the_scope_engine(world):
    """For a plain member (no filters apply), what reaches their cell is what the engine shows
    them."""
    w = world
    material(w["b1"], w["c11"], title="chỉ cho chức vụ", audience_positions={"bi_thu_chi_bo"})
    for member in (w["a11"], w["a12"], w["a21"]):
        cell = member.cell
        cell.refresh_from_db()
        unfiltered = {"audience_positions": 0, "audience_groups": 0}
        expected = ids(scope.visible_to(member.user, Material).filter(**unfiltered))
        assert ids(service.reaching_cell(cell).filter(**unfiltered)) == expected


# --- publishing ------------------------------------------------------------------------------


def test_publish_with_file_and_bad_files(world):
    w = world
    user = w["d1_staff"]
    good = service.save_material(
        Material(issuer_org=w["d1"], audience_org=w["b1"], title="Hướng dẫn"),
        user=user,
        upload=upload("huong-dan.pdf", pdf_bytes()),
    )
    assert good.pk and good.file.name.endswith(".pdf")
    assert not good.file.url.startswith("/media/")  # private storage: no public URL
    before = Material.objects.count()
    bad = [
        (upload("bao-cao.pdf", docx_bytes()), "không khớp"),  # a docx named .pdf
        (upload("anh.png", pdf_bytes()), "không khớp"),
        (upload("virus.pdf", b"MZ\x90\x00" + b"\x00" * 100), "không phải là tệp PDF"),
        (upload("chay.exe", b"MZ\x90\x00"), "Chỉ nhận tệp"),
        (upload("gia.docx", b"PK\x03\x04 not really a zip"), "không phải là tệp Word"),
    ]
    for bad_upload, words in bad:
        with pytest.raises(ValidationError) as exc:
            service.save_material(
                Material(issuer_org=w["d1"], audience_org=w["d1"], title="X"),
                user=user,
                upload=bad_upload,
            )
        assert words in " ".join(exc.value.messages)
    assert Material.objects.count() == before


def test_oversize_file_is_refused(world):
    big = upload("lon.pdf", b"%PDF-" + b"0" * (service.MAX_FILE_SIZE - 4))
    assert big.size > service.MAX_FILE_SIZE
    with pytest.raises(ValidationError) as exc:
        service.check_file(big)
    assert "quá lớn" in exc.value.messages[0]


def test_docx_and_images_by_content(world):
    assert service.check_file(upload("a.docx", docx_bytes())).endswith("wordprocessingml.document")
    assert service.check_file(upload("a.PNG", png_bytes())) == "image/png"


def test_issuer_and_audience_rules(world):
    w = world
    with pytest.raises(ValidationError) as exc:  # audience outside the issuer's subtree
        service.save_material(
            Material(issuer_org=w["d1"], audience_org=w["d2"], title="X"), user=w["d1_staff"]
        )
    assert "audience_org" in exc.value.message_dict
    with pytest.raises(ValidationError):  # issuing for a unit one does not manage
        service.save_material(
            Material(issuer_org=w["d2"], audience_org=w["d2"], title="X"), user=w["d1_staff"]
        )
    with pytest.raises(ValidationError):  # a district cannot issue a cell's internal material
        service.save_material(
            Material(issuer_org=w["c11"], audience_org=w["c11"], title="X"), user=w["d1_admin"]
        )
    with pytest.raises(ValidationError):  # a cell's material is for that cell only
        service.save_material(
            Material(issuer_org=w["c11"], audience_org=w["b1"], title="X"), user=w["sec11"].user
        )
    internal = service.save_material(
        Material(issuer_org=w["c11"], title="Nội bộ"), user=w["sec11"].user
    )
    assert internal.audience_org_id == w["c11"].pk


def test_admin_create_refuses_a_disguised_file_and_writes_nothing(world, client):
    w = world
    login(client, w["d1_staff"])
    before = Material.objects.count()
    response = client.post(
        reverse("meetings_material:add"),
        {
            "issuer_org": w["d1"].pk,
            "audience_org": w["d1"].pk,
            "title": "Giả PDF",
            "month": "03/2026",
            "file": upload("gia.pdf", docx_bytes()),
        },
    )
    assert response.status_code == 200
    assert "không khớp với phần mở rộng" in response.content.decode()
    assert Material.objects.count() == before
    response = client.post(
        reverse("meetings_material:add"),
        {"issuer_org": w["d1"].pk, "audience_org": w["d1"].pk, "title": "Thật", "month": "13/2026"},
    )
    assert "Tháng không hợp lệ" in response.content.decode() and Material.objects.count() == before
    response = client.post(
        reverse("meetings_material:add"),
        {
            "issuer_org": w["d1"].pk,
            "audience_org": w["b1"].pk,
            "title": "Thật",
            "month": "03/2026",
            "file": upload("that.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Material.objects.get(title="Thật")
    assert created.month.day == 1 and created.created_by == w["d1_staff"]


def test_api_publish_bad_input(world, api):
    w = world
    api.force_authenticate(w["d1_staff"])
    before = Material.objects.count()
    response = api.post(
        reverse("api:material-list"),
        {"issuer_org": w["d1"].pk, "audience_org": w["d2"].pk, "title": "X"},
        format="json",
    )
    assert response.status_code == 400 and "audience_org" in response.json()["fields"]
    response = api.post(
        reverse("api:material-list"),
        {"issuer_org": w["d1"].pk, "title": "X", "file": upload("x.xlsx", pdf_bytes())},
        format="multipart",
    )
    assert response.status_code == 400 and "không khớp" in response.json()["detail"]
    response = api.post(
        reverse("api:material-list"),
        {"issuer_org": w["d1"].pk, "title": "X", "audience_positions": ["khong_co"]},
        format="json",
    )
    assert response.status_code == 400 and "audience_positions" in response.json()["fields"]
    response = api.post(
        reverse("api:material-list"), {"issuer_org": 999999, "title": "X"}, format="json"
    )
    assert response.status_code == 400 and "issuer_org" in response.json()["fields"]
    response = api.post(
        reverse("api:material-list"),
        {"issuer_org": w["d1"].pk, "title": "X", "month": "2026-13"},
        format="json",
    )
    assert response.status_code == 400 and "month" in response.json()["fields"]
    assert Material.objects.count() == before
    response = api.post(
        reverse("api:material-list"),
        {
            "issuer_org": w["d1"].pk,
            "title": "Được",
            "month": "2026-04",
            "file": upload("x.pdf", pdf_bytes()),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["audience_org"] == w["d1"].pk and response.json()["file_url"]
    api.force_authenticate(w["a11"].user)
    assert (
        api.post(
            reverse("api:material-list"), {"issuer_org": w["c11"].pk, "title": "X"}, format="json"
        ).status_code
        == 403
    )


# --- picking for a meeting -------------------------------------------------------------------


def test_only_the_cells_secretary_picks_and_not_when_locked(world):
    w = world
    m = meeting(w["c11"], attendees=[w["a11"], w["b11"]])
    service.pick(m, w["d1_mat"], user=w["sec11"].user)
    service.pick(m, w["d1_mat"], user=w["sec11"].user)  # idempotent
    service.pick(m, w["int11"], user=w["sec11"].user)
    assert MeetingMaterial.objects.filter(meeting=m).count() == 2
    for not_reaching in (w["d2_mat"], w["int12"], w["b1_mat"]):
        with pytest.raises(ValidationError) as exc:
            service.pick(m, not_reaching, user=w["sec11"].user)
        assert "không thuộc phạm vi" in exc.value.messages[0]
    for outsider in (w["sec12"].user, w["a11"].user, w["d1_staff"]):
        with pytest.raises(PermissionDenied):
            service.pick(m, w["prov_mat"], user=outsider)
    m.state = Meeting.State.CLOSED
    m.save()
    with pytest.raises(ValidationError):
        service.pick(m, w["prov_mat"], user=w["sec11"].user)
    with pytest.raises(ValidationError):
        service.unpick(m, w["d1_mat"], user=w["sec11"].user)
    assert MeetingMaterial.objects.filter(meeting=m).count() == 2


def test_meeting_materials_api(world, api):
    w = world
    m = meeting(w["c11"], attendees=[w["a11"], w["b11"]])
    url = reverse("api:meeting-materials", args=[m.pk])
    api.force_authenticate(w["sec11"].user)
    assert api.post(url, {"material": w["prov_mat"].pk}, format="json").status_code == 201
    assert api.post(url, {"material": w["int11"].pk}, format="json").status_code == 201
    response = api.post(url, {"material": w["d2_mat"].pk}, format="json")
    assert response.status_code == 400 and "không thuộc phạm vi" in response.json()["detail"]
    assert api.post(url, {"material": "abc"}, format="json").status_code == 400
    api.force_authenticate(w["a11"].user)
    listed = api.get(url).json()
    assert {row["id"] for row in listed} == {w["prov_mat"].pk, w["int11"].pk}
    assert all("issuer_org" in row and "audience_org" in row for row in listed)
    assert api.post(url, {"material": w["d1_mat"].pk}, format="json").status_code == 403
    for outsider in (w["a12"].user, w["sec12"].user, w["d1_staff"]):
        api.force_authenticate(outsider)
        assert api.get(url).status_code == 404
        assert api.post(url, {"material": w["prov_mat"].pk}, format="json").status_code == 404
    api.force_authenticate(
        w["d1_admin"]
    )  # convenes anywhere in the district, but the cell's internal stays inside
    assert w["int11"].pk not in {row["id"] for row in api.get(url).json()}
    api.force_authenticate(w["sec11"].user)
    response = api.delete(url + f"?material={w['prov_mat'].pk}")
    assert response.status_code == 200 and {row["id"] for row in response.json()} == {w["int11"].pk}
    assert api.delete(url, {"material": w["prov_mat"].pk}, format="json").status_code == 400


def test_secretary_admin_page_picks_and_refuses_in_vietnamese(world, client):
    w = world
    m = meeting(w["c11"], attendees=[w["a11"], w["b11"]])
    login(client, w["sec11"].user)
    url = reverse("meetings_materials_admin:meeting", args=[m.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"action": "pick", "material": w["d1_mat"].pk})
    assert MeetingMaterial.objects.filter(meeting=m, material=w["d1_mat"]).exists()
    response = client.post(url, {"action": "pick", "material": w["d2_mat"].pk}, follow=True)
    assert "không thuộc phạm vi" in response.content.decode()
    assert not MeetingMaterial.objects.filter(meeting=m, material=w["d2_mat"]).exists()
    client.post(url, {"action": "unpick", "material": w["d1_mat"].pk})
    assert not MeetingMaterial.objects.filter(meeting=m).exists()
    login(client, w["sec12"].user)
    assert client.get(url).status_code == 404


# --- THE RULE: the issuing level sees whether, where and when; nothing else --------------------


@pytest.fixture
def used(world):
    w = world
    m = meeting(
        w["c11"],
        day=3,
        state=Meeting.State.HELD,
        attendees=[w["a11"], w["b11"]],
        agenda=f"Chương trình {SECRET}",
        minutes=f"Biên bản {SECRET}",
        content=f"Nội dung {SECRET}",
    )
    MeetingComment.objects.create(meeting=m, member=w["a11"], text=f"Góp ý {SECRET}")
    for mat in (w["prov_mat"], w["d1_mat"], w["int11"]):
        service.pick(m, mat, user=w["sec11"].user)
    Attendance.objects.filter(meeting=m, member=w["a11"]).update(status=Attendance.Status.PRESENT)
    m12 = meeting(w["c12"], day=4, state=Meeting.State.HELD)
    service.pick(m12, w["d1_mat"], user=w["sec12"].user)
    cancelled = meeting(w["c12"], day=20, state=Meeting.State.SCHEDULED)
    service.pick(cancelled, w["d1_mat"], user=w["sec12"].user)
    cancelled.state = Meeting.State.CANCELLED
    cancelled.save()
    return m


def test_usage_is_whether_where_and_when_only(world, used):
    w = world
    rows = service.usage_of(w["d1_mat"], w["d1_staff"])
    assert [(r.cell_id, r.cell_name, r.meeting_date.isoformat()) for r in rows] == [
        (w["c12"].pk, "Chi bộ 1.2", "2026-03-04"),
        (w["c11"].pk, "Chi bộ 1.1", "2026-03-03"),
    ]
    assert set(vars(rows[0])) == {"cell_id", "cell_name", "meeting_date"}
    assert service.usage_of(w["prov_mat"], w["prov_staff"])[0].cell_id == w["c11"].pk


@pytest.mark.parametrize(
    "who,what",
    [
        ("d1_staff", "prov_mat"),  # a district: another level's material
        ("d2_staff", "d1_mat"),  # another district
        ("d1_staff", "int11"),  # a cell's internal material, from above
        ("d1_admin", "int11"),
        ("prov_staff", "int11"),
    ],
)
def test_usage_refused_to_anyone_but_the_issuer(world, used, who, what):
    with pytest.raises(PermissionDenied):
        service.usage_of(world[what], world[who])


def test_usage_api_and_admin_page_reveal_nothing_else(world, used, api, client):
    w = world
    api.force_authenticate(w["d1_staff"])
    response = api.get(reverse("api:material-usage", args=[w["d1_mat"].pk]))
    assert response.status_code == 200
    assert all(set(row) == {"cell", "cell_name", "meeting_date"} for row in response.json())
    assert len(response.json()) == 2
    assert api.get(reverse("api:material-usage", args=[w["prov_mat"].pk])).status_code == 404
    assert api.get(reverse("api:material-usage", args=[w["int11"].pk])).status_code == 404
    # the meeting's own materials and its not-opened list stay with the cell
    assert api.get(reverse("api:meeting-materials", args=[used.pk])).status_code == 404
    assert api.get(reverse("api:meeting-materials-not-opened", args=[used.pk])).status_code == 404

    login(client, w["d1_staff"])
    page = client.get(reverse("meetings_materials_admin:usage", args=[w["d1_mat"].pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Chi bộ 1.1" in text and "03/03/2026" in text
    for leaked in (SECRET, w["prov_mat"].title, w["a11"].full_name):
        assert leaked not in text
    assert (
        client.get(reverse("meetings_materials_admin:usage", args=[w["int11"].pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("meetings_materials_admin:meeting", args=[used.pk])).status_code == 404
    )


# --- opens -----------------------------------------------------------------------------------


def test_record_open_is_one_row_a_day_counted(world):
    w = world
    at = timezone.now()
    for _i in range(3):
        service.record_open(w["d1_mat"], w["a11"], at=at)
    row = MaterialOpen.objects.get(material=w["d1_mat"], member=w["a11"])
    assert row.count == 3 and row.day == timezone.localdate(at)
    service.record_open(w["d1_mat"], w["a11"], at=at + timedelta(days=1))
    assert MaterialOpen.objects.filter(material=w["d1_mat"], member=w["a11"]).count() == 2
    with CaptureQueriesContext(connection) as queries:
        service.record_open(w["d1_mat"], w["a11"].pk, at=at)
    assert len(queries) == 1
    assert (
        MaterialOpen.objects.get(
            material=w["d1_mat"], member=w["a11"], day=timezone.localdate(at)
        ).count
        == 4
    )


def test_opening_the_page_or_the_file_records_an_open(world, client, settings, tmp_path):
    w = world
    mat = service.save_material(
        Material(issuer_org=w["d1"], audience_org=w["d1"], title="Có tệp"),
        user=w["d1_staff"],
        upload=upload("co-tep.pdf", pdf_bytes()),
    )
    login(client, w["a11"].user)
    assert client.get(reverse("meetings:material", args=[mat.pk])).status_code == 200
    response = client.get(reverse("meetings:material_file", args=[mat.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Type"] == "application/pdf" and "private" in response["Cache-Control"]
    assert MaterialOpen.objects.get(material=mat, member=w["a11"]).count == 2
    with override_settings(SOTAY_SENDFILE="nginx"):
        response = client.get(reverse("meetings:material_file", args=[mat.pk]))
    assert response["X-Accel-Redirect"].endswith(mat.file.name) and not response.content
    login(client, w["a21"].user)
    assert client.get(reverse("meetings:material_file", args=[mat.pk])).status_code == 404
    assert not MaterialOpen.objects.filter(material=mat, member=w["a21"]).exists()


def test_who_has_not_opened_the_meetings_materials(world):
    w = world
    m = meeting(w["c11"], attendees=[w["sec11"], w["a11"], w["b11"]])
    only_secretaries = material(
        w["b1"], w["c11"], title="Chỉ bí thư", audience_positions={"bi_thu_chi_bo"}
    )
    for mat in (w["d1_mat"], w["int11"], only_secretaries):
        service.pick(m, mat, user=w["sec11"].user)
    service.record_open(w["d1_mat"], w["a11"])
    service.record_open(w["int11"], w["a11"])
    service.record_open(w["d1_mat"], w["b11"])
    service.record_open(w["d1_mat"], w["a12"])  # not expected: no effect
    with CaptureQueriesContext(connection) as queries:
        status = {
            row.full_name: (row.opened, row.expected)
            for row in service.open_status(m, w["sec11"].user)
        }
    assert len(queries) <= 4
    assert status == {"Trần Văn An": (2, 2), "Lê Thị Bình": (1, 2), "Bí thư Chi bộ 1.1": (0, 3)}
    assert [row.full_name for row in service.not_opened(m, w["sec11"].user)] == [
        "Bí thư Chi bộ 1.1",
        "Lê Thị Bình",
    ]
    with pytest.raises(PermissionDenied):
        service.open_status(m, w["sec12"].user)
    with pytest.raises(PermissionDenied):
        service.open_status(m, w["a11"].user)


# --- the fragment on the meeting page --------------------------------------------------------


def render_fragment(user, m):
    request = RequestFactory().get("/")
    request.user = user
    return Template('{% include "meetings/member/_materials.html" %}').render(
        Context({"meeting": m, "request": request, "user": user})
    )


def test_fragment_lists_what_the_member_may_see(world):
    w = world
    m = meeting(w["c11"], attendees=[w["a11"], w["b11"]])
    only_secretaries = material(
        w["b1"], w["c11"], title="Chỉ dành cho bí thư", audience_positions={"bi_thu_chi_bo"}
    )
    for mat in (w["prov_mat"], w["int11"], only_secretaries):
        service.pick(m, mat, user=w["sec11"].user)
    service.record_open(w["prov_mat"], w["a11"])
    with CaptureQueriesContext(connection) as queries:
        html = render_fragment(w["a11"].user, m)
    # a member seen for the first time: their subject is read (the record, then the ids of
    # their cell's ancestors), then the materials and their opens
    assert len(queries) <= 5
    assert (
        w["prov_mat"].title in html and SECRET in html and "Đã đọc" in html and "Chưa đọc" in html
    )
    assert "Chỉ dành cho bí thư" not in html
    assert "Ai chưa đọc tài liệu" not in html
    secretary_html = render_fragment(w["sec11"].user, m)
    assert "Chỉ dành cho bí thư" in secretary_html and "Ai chưa đọc tài liệu" in secretary_html
    outsider_html = render_fragment(w["a12"].user, m)
    assert SECRET not in outsider_html and w["prov_mat"].title not in outsider_html


def test_listing_queries_do_not_grow(world, client, api):
    w = world
    login(client, w["prov_staff"])
    api.force_authenticate(w["prov_staff"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("meetings_material:index")).status_code == 200
            assert api.get(reverse("api:material-list")).status_code == 200
        return len(queries)

    count()  # warm: rights and session read once, then cached
    first = count()
    for n in range(10):
        material(w["b2"], title=f"Thêm {n}")
    assert count() == first


# --- concurrency (PostgreSQL) ----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://...)"
)
def test_fifty_concurrent_opens_lose_none():
    from tests.factories import small_tree

    tree = small_tree()
    member = MemberFactory(cell=tree["c11"])
    mat = material(tree["d1"])
    barrier = threading.Barrier(50)
    errors = []

    def open_once():
        try:
            barrier.wait(timeout=30)
            service.record_open(mat.pk, member.pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_once) for _i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = list(MaterialOpen.objects.filter(material=mat, member=member))
    assert len(rows) == 1 and rows[0].count == 50


# --- admin editing and filters ---------------------------------------------------------------


def test_admin_edit_keeps_the_file_and_filters_work(world, client):
    w = world
    mat = service.save_material(
        Material(issuer_org=w["d1"], audience_org=w["d1"], title="Cũ"),
        user=w["d1_staff"],
        upload=upload("cu.docx", docx_bytes()),
    )
    stored = mat.file.name
    login(client, w["d1_staff"])
    url = reverse("meetings_material:edit", args=[mat.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"issuer_org": w["d1"].pk, "audience_org": w["d1"].pk, "title": "Mới", "month": "04/2026"},
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    mat.refresh_from_db()
    assert mat.title == "Mới" and mat.file.name == stored and mat.month.isoformat() == "2026-04-01"
    response = client.post(
        url, {"issuer_org": w["d1"].pk, "audience_org": w["d2"].pk, "title": "Sai phạm vi"}
    )
    assert response.status_code == 200
    mat.refresh_from_db()
    assert mat.title == "Mới"
    index = reverse("meetings_material:index")
    listed = {m.pk for m in client.get(index, {"level": "district"}).context["object_list"]}
    assert mat.pk in listed and w["b1_mat"].pk not in listed
    listed = {m.pk for m in client.get(index, {"month": "04/2026"}).context["object_list"]}
    assert listed == {mat.pk}
    assert "Tháng không hợp lệ" in client.get(index, {"month": "99/2026"}).content.decode()
    login(client, w["d2_staff"])
    assert client.get(url).status_code == 404


def test_member_detail_page_links_back_to_the_meeting_and_word_files_download(world, client):
    w = world
    m = meeting(w["c11"], attendees=[w["a11"]])
    mat = service.save_material(
        Material(issuer_org=w["c11"], title="Dự thảo"),
        user=w["sec11"].user,
        upload=upload("du-thao.docx", docx_bytes()),
    )
    service.pick(m, mat, user=w["sec11"].user)
    login(client, w["a11"].user)
    page = client.get(reverse("meetings:material", args=[mat.pk]), {"sinh-hoat": m.pk})
    assert (
        page.status_code == 200 and reverse("meetings:detail", args=[m.pk]) in page.content.decode()
    )
    response = client.get(reverse("meetings:material_file", args=[mat.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert client.get(reverse("meetings:materials")).status_code == 200
    login(client, w["a12"].user)
    page = client.get(reverse("meetings:material", args=[w["prov_mat"].pk]), {"sinh-hoat": m.pk})
    assert (
        page.status_code == 200
        and reverse("meetings:detail", args=[m.pk]) not in page.content.decode()
    )


def test_the_meeting_page_shows_the_materials_box(world, client):
    w = world
    m = meeting(w["c11"], attendees=[w["a11"], w["b11"]])
    for mat in (w["prov_mat"], w["int11"]):
        service.pick(m, mat, user=w["sec11"].user)
    login(client, w["a11"].user)
    page = client.get(reverse("meetings:detail", args=[m.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="tai-lieu"' in text and w["prov_mat"].title in text and SECRET in text
    assert reverse("meetings:material", args=[w["int11"].pk]) in text
