"""The cell secretary's month from the phone (member shell, issue 17): the cell's meetings,
convening and copying last month's meeting, editing and cancelling, picking materials (only
from the cell's reach), manual marking that keeps its place, minutes and their approval (warned
when nobody was checked in, locked afterwards), who has not opened the materials. Every page
within 10 queries; every bad input refused in Vietnamese with nothing changed."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from sotay_plugins.meetings import materials as material_service
from sotay_plugins.meetings import services
from sotay_plugins.meetings.models import Attendance, Material, Meeting, MeetingMaterial
from tests.factories import MemberFactory

from .helpers import cell_meeting, soon

#: The issue's budget for every secretary page.
MAX_QUERIES = 10


def convene(tree, people, **extra):
    fields = {"starts_at": soon(), "place": "Nhà văn hóa thôn 1", "agenda": "1. Kiểm điểm"}
    fields.update(extra)
    return services.convene(tree["c11"], people["secretary"].user, **fields)


def held(tree, people, days_ago=2, **extra):
    """A meeting of Chi bộ 1.1 that took place ``days_ago`` days ago, with its attendance rows."""
    meeting = cell_meeting(
        tree["c11"],
        timezone.now() - timedelta(days=days_ago),
        title="Sinh hoạt tháng trước",
        place="Hội trường",
        agenda="1. Kiểm điểm\n2. Phương hướng",
        chair=people["secretary"],
        **extra,
    )
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, member_id=pk)
        for pk in services.expected_members(tree["c11"]).values_list("pk", flat=True)
    )
    return meeting


def as_user(client, member):
    client.force_login(member.user)
    return client


def form_data(day, start="19:30", end="21:00", **extra):
    data = {
        "kind": "regular",
        "title": "",
        "day": day.isoformat(),
        "start": start,
        "end": end,
        "place": "Nhà văn hóa thôn 1",
        "online_link": "",
        "chair": "",
        "recorder": "",
        "agenda": "1. Kiểm điểm\n2. Phương hướng",
        "content": "",
        "draft_resolution": "",
    }
    data.update(extra)
    return data


def private_files():
    root = Path(storages["private"].location)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


# --- the entry points and the list --------------------------------------------------------


def test_the_shell_leads_the_secretary_to_the_pages_and_not_a_member(client, tree, people):
    meeting = convene(tree, people)
    html = as_user(client, people["secretary"]).get(reverse("meetings:list")).content.decode()
    assert reverse("meetings:sec_list") in html
    detail = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert reverse("meetings:sec_meeting", args=[meeting.pk]) in detail
    assert reverse("meetings:sec_materials", args=[meeting.pk]) in detail  # not the admin's
    assert "/quan-tri/" not in detail

    member = as_user(client, people["a"])
    assert reverse("meetings:sec_list") not in member.get(reverse("meetings:list")).content.decode()
    assert member.get(reverse("meetings:sec_list")).status_code == 404
    assert member.get(reverse("meetings:sec_convene")).status_code == 404
    assert member.get(reverse("meetings:sec_meeting", args=[meeting.pk])).status_code == 404


def test_list_shows_the_cells_meetings_with_counts(client, tree, people):
    upcoming = convene(tree, people, title="Sinh hoạt sắp tới")
    past = held(tree, people)
    Attendance.objects.filter(meeting=past, member=people["a"]).update(status="present")
    cell_meeting(tree["c21"], soon(), title="Của chi bộ khác", place="X")
    html = as_user(client, people["secretary"]).get(reverse("meetings:sec_list")).content.decode()
    assert upcoming.title in html and past.title in html and "Của chi bộ khác" not in html
    assert "Có mặt 1/3" in html  # secretary, a, b expected
    assert f"tu={past.pk}" in html  # copy last month's meeting
    assert "Chưa ghi biên bản" in html  # held, no minutes yet: what is left to do


# --- convene, copy, edit, cancel ------------------------------------------------------------


def test_convene_from_the_phone_creates_the_meeting_and_its_roll(client, tree, people):
    day = soon().date()
    response = as_user(client, people["secretary"]).post(
        reverse("meetings:sec_convene"),
        form_data(day, chair=people["a"].pk, recorder=people["b"].pk, online_link="meet.vn/x"),
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:sec_meeting", args=[meeting.pk])
    local = timezone.localtime(meeting.starts_at)
    assert (local.date(), local.hour, local.minute) == (day, 19, 30)
    assert timezone.localtime(meeting.ends_at).hour == 21
    assert meeting.audience_org_id == tree["c11"].pk and meeting.chair_id == people["a"].pk
    assert meeting.online_link == "https://meet.vn/x"
    assert meeting.title.startswith("Sinh hoạt thường kỳ tháng")
    assert meeting.attendance.count() == 3


def test_copy_last_months_meeting_prefills_the_form(client, tree, people):
    last = held(tree, people, days_ago=20, ends_at=timezone.now() - timedelta(days=20, hours=-2))
    response = as_user(client, people["secretary"]).get(
        reverse("meetings:sec_convene") + f"?tu={last.pk}"
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["agenda"] == last.agenda and form.initial["place"] == "Hội trường"
    assert form.initial["chair"] == people["secretary"].pk
    assert form.initial["day"] > timezone.localdate()
    assert "Đã điền sẵn từ" in response.content.decode()
    assert not Meeting.objects.exclude(pk=last.pk).exists()  # a prefill writes nothing


def test_copy_of_another_cells_meeting_is_ignored(client, tree, people):
    theirs = cell_meeting(tree["c21"], soon(), title="Bí mật chi bộ 2.1", place="Nhà ông Ba")
    response = as_user(client, people["secretary"]).get(
        reverse("meetings:sec_convene") + f"?tu={theirs.pk}"
    )
    assert response.status_code == 200
    assert "Nhà ông Ba" not in response.content.decode() and response.context["source"] is None


def test_copy_of_skips_to_a_day_after_today():
    class Old:
        kind, place, online_link, chair_id, recorder_id, agenda = "regular", "X", "", None, None, ""
        starts_at = timezone.now() - timedelta(days=100)
        ends_at = None

    initial = services.copy_of(Old)
    assert initial["day"] > timezone.localdate()
    assert initial["day"].day in (timezone.localtime(Old.starts_at).day, 28, 29, 30)


def test_a_meeting_ending_before_it_starts_is_refused_in_vietnamese(client, tree, people):
    response = as_user(client, people["secretary"]).post(
        reverse("meetings:sec_convene"), form_data(soon().date(), start="19:30", end="18:00")
    )
    assert response.status_code == 400
    assert "Giờ kết thúc phải sau giờ bắt đầu." in response.content.decode()
    assert not Meeting.objects.exists() and not Attendance.objects.exists()
    assert response.context["form"]["end"].errors  # on the end time, which the page marks


def test_another_cells_secretary_cannot_convene_for_this_cell(client, tree, people):
    other = as_user(client, people["other_secretary"])
    data = {**form_data(soon().date()), "chi-bo": tree["c11"].pk}
    assert other.post(reverse("meetings:sec_convene"), data).status_code == 404
    assert other.get(reverse("meetings:sec_convene") + f"?chi-bo={tree['c11'].pk}").status_code == (
        404
    )
    assert not Meeting.objects.exists()


def test_edit_and_cancel_before_it_happens(client, tree, people):
    meeting = convene(tree, people)
    c = as_user(client, people["secretary"])
    page = c.get(reverse("meetings:sec_edit", args=[meeting.pk]))
    assert page.status_code == 200 and page.context["form"].initial["place"] == meeting.place
    day = timezone.localtime(meeting.starts_at).date()
    response = c.post(
        reverse("meetings:sec_edit", args=[meeting.pk]),
        form_data(day, start="08:00", end="", place="Hội trường mới"),
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.place == "Hội trường mới" and meeting.ends_at is None

    bad = c.post(reverse("meetings:sec_edit", args=[meeting.pk]), form_data(day, end="07:00"))
    assert bad.status_code == 400 and "Giờ kết thúc phải sau giờ bắt đầu." in bad.content.decode()
    meeting.refresh_from_db()
    assert meeting.place == "Hội trường mới" and meeting.ends_at is None

    response = c.post(reverse("meetings:sec_cancel", args=[meeting.pk]), {"reason": "Mưa bão"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.CANCELLED
    # cancelled: no more edits
    after = c.post(reverse("meetings:sec_edit", args=[meeting.pk]), form_data(day))
    assert after.status_code == 302
    meeting.refresh_from_db()
    assert meeting.place == "Hội trường mới" and meeting.state == Meeting.State.CANCELLED


def test_another_cells_secretary_cannot_edit_or_cancel(client, tree, people):
    meeting = convene(tree, people)
    before = Meeting.objects.values().get(pk=meeting.pk)
    other = as_user(client, people["other_secretary"])
    day = timezone.localtime(meeting.starts_at).date()
    for name, data in (
        ("sec_edit", form_data(day, place="Chiếm quyền")),
        ("sec_cancel", {"reason": "x"}),
    ):
        assert other.get(reverse(f"meetings:{name}", args=[meeting.pk])).status_code == 404
        assert other.post(reverse(f"meetings:{name}", args=[meeting.pk]), data).status_code == 404
    assert Meeting.objects.values().get(pk=meeting.pk) == before


# --- materials ------------------------------------------------------------------------------


def test_pick_only_from_the_cells_reach(client, tree, people):
    meeting = convene(tree, people)
    ours = Material.objects.create(issuer_org=tree["province"], audience_org=tree["province"])
    ours.title = "Chuyên đề của Tỉnh"
    ours.save()
    elsewhere = Material.objects.create(
        issuer_org=tree["d2"], audience_org=tree["d2"], title="Của huyện khác"
    )
    other_cell = Material.objects.create(
        issuer_org=tree["c12"], audience_org=tree["c12"], title="Nội bộ chi bộ 1.2"
    )
    c = as_user(client, people["secretary"])
    page = c.get(reverse("meetings:sec_materials", args=[meeting.pk])).content.decode()
    assert ours.title in page and elsewhere.title not in page and other_cell.title not in page
    url = reverse("meetings:sec_materials", args=[meeting.pk])
    for outside in (elsewhere, other_cell):
        response = c.post(url, {"action": "pick", "material": outside.pk})
        assert response.status_code == 400
        assert "không thuộc phạm vi của chi bộ" in response.content.decode()
    assert not MeetingMaterial.objects.exists()
    response = c.post(url, {"action": "pick", "material": ours.pk})
    assert response.status_code == 302 and response["Location"].endswith("#da-chon")
    assert list(MeetingMaterial.objects.values_list("material_id", flat=True)) == [ours.pk]
    # another cell's secretary: 404, nothing changed
    other = as_user(client, people["other_secretary"])
    assert other.post(url, {"action": "unpick", "material": ours.pk}).status_code == 404
    assert MeetingMaterial.objects.count() == 1


def test_internal_material_with_a_file_is_added_and_picked(client, tree, people):
    meeting = convene(tree, people)
    pdf = SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = as_user(client, people["secretary"]).post(
        reverse("meetings:sec_materials", args=[meeting.pk]),
        {"action": "add", "title": "Kế hoạch của chi bộ", "summary": "", "file": pdf},
    )
    assert response.status_code == 302
    material = Material.objects.get()
    assert material.issuer_org_id == material.audience_org_id == tree["c11"].pk
    assert MeetingMaterial.objects.filter(meeting=meeting, material=material).exists()
    assert material.file and material.file.storage.exists(material.file.name)
    material.file.storage.delete(material.file.name)


def test_a_refused_attachment_leaves_no_file_and_no_material(client, tree, people):
    meeting = convene(tree, people)
    before = private_files()
    bad = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = as_user(client, people["secretary"]).post(
        reverse("meetings:sec_materials", args=[meeting.pk]),
        {"action": "add", "title": "Báo cáo", "file": bad},
    )
    assert response.status_code == 400
    assert response.context["form"].errors.get("file")
    assert not Material.objects.exists() and not MeetingMaterial.objects.exists()
    assert private_files() == before


def test_a_save_refused_after_the_file_was_stored_deletes_it(tree, people, monkeypatch):
    """The meeting is locked between the check and the pick (a concurrent approval): the material
    row rolls back, and its stored file must go too."""
    meeting = convene(tree, people)
    before = private_files()

    def locked_meanwhile(*args, **kwargs):
        raise ValidationError("Buổi sinh hoạt đã khóa")

    monkeypatch.setattr(material_service, "pick", locked_meanwhile)
    pdf = SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    with pytest.raises(ValidationError):
        material_service.add_internal(
            meeting, user=people["secretary"].user, title="Kế hoạch", upload=pdf
        )
    assert not Material.objects.exists()
    assert private_files() == before


# --- manual marking --------------------------------------------------------------------------


def test_marking_keeps_the_place_in_the_list(client, tree, people):
    meeting = held(tree, people)
    c = as_user(client, people["secretary"])
    url = reverse("meetings:sec_mark", args=[meeting.pk])
    page = c.get(url).content.decode()
    a = people["a"].pk
    assert f'id="member-{a}"' in page and f'action="{url}#member-{a}"' in page
    response = c.post(url, {"member": a, "status": "excused", "reason": "Ốm"})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?da-luu={a}#member-{a}"
    row = Attendance.objects.get(meeting=meeting, member_id=a)
    assert (row.status, row.reason) == ("excused", "Ốm")
    after = c.get(response["Location"]).content.decode()
    assert "✓ Đã lưu" in after
    c.post(url, {"member": people["b"].pk, "status": "present", "reason": ""})
    assert Attendance.objects.get(meeting=meeting, member=people["b"]).status == "present"


def test_a_reason_of_ten_thousand_characters_is_refused_and_html_is_escaped(client, tree, people):
    meeting = held(tree, people)
    c = as_user(client, people["secretary"])
    url = reverse("meetings:sec_mark", args=[meeting.pk])
    a = people["a"].pk
    response = c.post(url, {"member": a, "status": "excused", "reason": "x" * 10_000})
    assert response.status_code == 400
    assert "Lý do dài quá 255 ký tự." in response.content.decode()
    assert Attendance.objects.get(meeting=meeting, member_id=a).status == "expected"

    evil = '<script>alert("x")</script><b>ốm</b>'
    assert c.post(url, {"member": a, "status": "excused", "reason": evil}).status_code == 302
    page = c.get(url).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page

    missing = c.post(url, {"member": a, "status": "excused", "reason": ""})
    assert missing.status_code == 400 and "Vắng có lý do thì phải ghi lý do." in (
        missing.content.decode()
    )


def test_another_cells_secretary_cannot_mark(client, tree, people):
    meeting = held(tree, people)
    other = as_user(client, people["other_secretary"])
    url = reverse("meetings:sec_mark", args=[meeting.pk])
    assert other.get(url).status_code == 404
    response = other.post(url, {"member": people["a"].pk, "status": "present", "reason": ""})
    assert response.status_code == 404
    assert set(Attendance.objects.values_list("status", flat=True)) == {"expected"}


# --- minutes and their approval ---------------------------------------------------------------


def test_minutes_wait_for_the_meeting(client, tree, people):
    meeting = convene(tree, people)
    c = as_user(client, people["secretary"])
    url = reverse("meetings:sec_minutes", args=[meeting.pk])
    assert "chưa diễn ra" in c.get(url).content.decode()
    response = c.post(url, {"action": "save", "minutes": "Biên bản", "resolution": ""})
    assert response.status_code == 400 and "chưa diễn ra" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes == "" and meeting.state == Meeting.State.SCHEDULED


def test_minutes_approval_warns_when_nobody_was_checked_in_then_locks(client, tree, people):
    meeting = held(tree, people)
    c = as_user(client, people["secretary"])
    url = reverse("meetings:sec_minutes", args=[meeting.pk])
    response = c.post(
        url, {"action": "save", "minutes": "Đồng chí A phát biểu…", "resolution": "Nghị quyết"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#duyet")
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.HELD and meeting.resolution == "Nghị quyết"

    page = c.get(url).content.decode()
    assert "Cảnh báo: chưa có đảng viên nào được điểm danh có mặt." in page
    refused = c.post(url, {"action": "approve"})
    assert refused.status_code == 400
    assert "Chưa có đảng viên nào được điểm danh có mặt" in refused.content.decode()
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.HELD and meeting.minutes_approved_at is None

    assert c.post(url, {"action": "approve", "confirm": "1"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.CLOSED and meeting.minutes_approved_at
    approved_at = meeting.minutes_approved_at

    twice = c.post(url, {"action": "approve", "confirm": "1"})
    assert twice.status_code == 400 and "Biên bản đã được duyệt" in twice.content.decode()
    edited = c.post(url, {"action": "save", "minutes": "Sửa sau khi khóa", "resolution": ""})
    assert edited.status_code == 400 and "Biên bản đã được duyệt" in edited.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes == "Đồng chí A phát biểu…"
    assert meeting.minutes_approved_at == approved_at
    page = c.get(url).content.decode()
    assert "hồ sơ đã khóa" in page and 'name="minutes"' not in page


def test_approval_needs_no_confirmation_when_someone_was_checked_in(client, tree, people):
    meeting = held(tree, people, minutes="Biên bản", state=Meeting.State.HELD)
    Attendance.objects.filter(meeting=meeting, member=people["a"]).update(status="present")
    c = as_user(client, people["secretary"])
    url = reverse("meetings:sec_minutes", args=[meeting.pk])
    assert "Cảnh báo" not in c.get(url).content.decode()
    assert c.post(url, {"action": "approve"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.CLOSED


def test_another_cells_secretary_cannot_write_or_approve_minutes(client, tree, people):
    meeting = held(tree, people, minutes="Biên bản gốc", state=Meeting.State.HELD)
    other = as_user(client, people["other_secretary"])
    url = reverse("meetings:sec_minutes", args=[meeting.pk])
    assert other.get(url).status_code == 404
    assert other.post(url, {"action": "approve", "confirm": "1"}).status_code == 404
    assert other.post(url, {"action": "save", "minutes": "Giả mạo"}).status_code == 404
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.HELD and meeting.minutes == "Biên bản gốc"


# --- who has not opened the materials ----------------------------------------------------------


def test_who_has_not_opened_the_materials(client, tree, people):
    meeting = held(tree, people)
    doc = Material.objects.create(
        issuer_org=tree["province"], audience_org=tree["province"], title="Chuyên đề"
    )
    material_service.pick(meeting, doc, user=people["secretary"].user)
    material_service.record_open(doc, people["a"])
    c = as_user(client, people["secretary"])
    html = c.get(reverse("meetings:sec_not_opened", args=[meeting.pk])).content.decode()
    assert "Đảng viên B" in html and "Bí thư Một" in html and "Đảng viên A" not in html
    assert "1 đảng viên đã mở đủ tài liệu." in html
    other = as_user(client, people["other_secretary"])
    assert other.get(reverse("meetings:sec_not_opened", args=[meeting.pk])).status_code == 404


# --- budgets: every secretary page within 10 queries, whatever the size of the cell -----------


@pytest.fixture
def busy_cell(tree, people):
    for n in range(40):
        MemberFactory(cell=tree["c11"], full_name=f"Đảng viên số {n:02d}")
    past = held(tree, people, minutes="Biên bản", state=Meeting.State.HELD)
    for n in range(1, 12):
        held(tree, people, days_ago=30 * n)
    upcoming = convene(tree, people)
    for n in range(3):
        doc = Material.objects.create(
            issuer_org=tree["province"], audience_org=tree["province"], title=f"Chuyên đề {n}"
        )
        material_service.pick(past, doc, user=people["secretary"].user)
        material_service.record_open(doc, people["a"])
    return {"past": past, "upcoming": upcoming}


@pytest.mark.parametrize(
    "name, which",
    [
        ("sec_list", None),
        ("sec_convene", None),
        ("sec_meeting", "past"),
        ("sec_edit", "upcoming"),
        ("sec_cancel", "upcoming"),
        ("sec_materials", "past"),
        ("checkin", "past"),
        ("sec_mark", "past"),
        ("sec_minutes", "past"),
        ("sec_not_opened", "past"),
    ],
)
def test_every_secretary_page_within_ten_queries(
    client, busy_cell, people, name, which, django_assert_max_num_queries
):
    c = as_user(client, people["secretary"])
    url = reverse(f"meetings:{name}", args=[busy_cell[which].pk] if which else [])
    c.get(url)  # warm the grants cache, as any earlier page of the session has
    with django_assert_max_num_queries(MAX_QUERIES):
        response = c.get(url)
    assert response.status_code == 200
