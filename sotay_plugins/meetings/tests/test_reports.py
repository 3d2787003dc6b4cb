"""The meetings report on a small hand-built dataset: held vs expected per month, attendance
rate (exempt members left out), members absent three times in a row, materials per issuing
level; rolled up the tree; scoped (a committee never sees a unit outside its subtree); a
constant number of queries; bad input in Vietnamese."""

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sotay_plugins.meetings import reports
from sotay_plugins.meetings.models import Attendance, Material, Meeting, MeetingMaterial
from sotay_plugins.meetings.tests.helpers import cell_meeting
from sotay_plugins.orgtree.choices import OrgKind
from sotay_plugins.orgtree.models import Organisation
from sotay_plugins.orgtree.roles import CELL_SECRETARY, VIEWER
from sotay_plugins.registry import registry
from tests.factories import MemberFactory, UserFactory, login, org, staff

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
P, L, E, X, A = (
    Attendance.Status.PRESENT,
    Attendance.Status.LATE,
    Attendance.Status.EXCUSED,
    Attendance.Status.EXPECTED,
    Attendance.Status.ABSENT,
)


def held(cell, month, statuses, *, kind=Meeting.Kind.REGULAR, state=Meeting.State.HELD, day=3):
    """A meeting of ``cell`` on ``day`` of ``month`` with attendance {member: status}."""
    m = cell_meeting(
        cell,
        timezone.make_aware(datetime(month.year, month.month, day, 8, 0)),
        title="Sinh hoạt",
        kind=kind,
        state=state,
    )
    Attendance.objects.bulk_create(
        [Attendance(meeting=m, member=member, status=status) for member, status in statuses.items()]
    )
    return m


@pytest.fixture
def data(tree):
    t = dict(tree)
    a, b = (
        MemberFactory(cell=t["c11"], full_name="An"),
        MemberFactory(cell=t["c11"], full_name="Bình"),
    )
    c = MemberFactory(cell=t["c11"], full_name="Cúc", group="exempt")
    d = MemberFactory(cell=t["c12"], full_name="Dũng")
    e = MemberFactory(cell=t["c21"], full_name="Em")
    t.update(a=a, b=b, c=c, d=d, e=e)
    # c11: regular meetings Jan, Feb, Mar; Bình misses all three (excused, absent, never checked in)
    t["m11"] = held(t["c11"], JAN, {a: P, b: E, c: A})
    held(t["c11"], FEB, {a: L, b: A, c: A})
    held(t["c11"], MAR, {a: P, b: X, c: A}, state=Meeting.State.CLOSED)
    # c12: regular in January only, a thematic one in February; two regular ones in March, not held
    held(t["c12"], JAN, {d: P})
    held(t["c12"], FEB, {d: L}, kind=Meeting.Kind.THEMATIC)
    held(t["c12"], MAR, {d: X}, state=Meeting.State.SCHEDULED)
    held(t["c12"], MAR, {d: X}, state=Meeting.State.CANCELLED, day=10)
    # c21 (district 2): held in January; c22 none
    held(t["c21"], JAN, {e: A})
    # materials picked in c11's January meeting: one per level
    for issuer in (t["province"], t["d1"], t["c11"]):
        mat = Material.objects.create(
            issuer_org=issuer, audience_org=issuer, title=f"TL {issuer.name}"
        )
        MeetingMaterial.objects.create(meeting=t["m11"], material=mat)
    return t


def by_name(report):
    return {u.name: u for u in report.units}


def test_numbers_per_cell_and_rolled_up(data):
    admin = UserFactory(is_superuser=True)
    report = reports.meeting_report(admin, start=JAN, end=MAR, depth=None)
    units = by_name(report)
    c11, c12, d1, province = (
        units["Chi bộ 1.1"],
        units["Chi bộ 1.2"],
        units["Huyện 1"],
        units["Tỉnh A"],
    )
    assert (c11.expected, c11.held, c11.meetings) == (3, 3, 3)
    assert (c12.expected, c12.held, c12.meetings) == (3, 1, 2)
    assert (d1.expected, d1.held, d1.meetings, d1.cells) == (6, 4, 5, 2)
    assert (province.expected, province.held) == (12, 5)
    assert province.held_rate == round(100 * 5 / 12, 1)
    # attendance: c11 rows of An and Bình (Cúc exempt) = 6, attended 3; c12: 2 rows, 2 attended
    assert (c11.attendance_rows, c11.attended) == (6, 3)
    assert (d1.attendance_rows, d1.attended, d1.attendance_rate) == (8, 5, 62.5)
    assert (province.attendance_rows, province.attended) == (9, 5)
    # per month for the district: January both cells, February and March only c11
    assert d1.month_rows(report.months) == [(JAN, 2, 2), (FEB, 2, 1), (MAR, 2, 1)]
    # materials by issuing level
    assert c11.materials == {
        OrgKind.PROVINCE: 1,
        OrgKind.DISTRICT: 1,
        OrgKind.BASE: 0,
        OrgKind.CELL: 1,
    }
    assert (
        province.materials[OrgKind.CELL] == 1 and units["Huyện 2"].materials[OrgKind.PROVINCE] == 0
    )
    # absent three times in a row: Bình only (Cúc is exempt; Em missed one)
    assert [(a.full_name, a.streak, a.without_reason, a.ongoing) for a in report.absentees] == [
        ("Bình", 3, 2, True)
    ]
    assert (c11.absentees, d1.absentees, units["Huyện 2"].absentees) == (1, 1, 0)


def test_a_new_cell_and_a_dissolved_one_are_expected_only_while_active(data):
    t = data
    newer = org(OrgKind.CELL, Organisation.objects.get(pk=t["b1"].pk), "Chi bộ mới")
    Organisation.objects.filter(pk=newer.pk).update(founded_on=date(2026, 2, 15))
    Organisation.objects.filter(pk=t["c12"].pk).update(
        is_active=False, dissolved_on=date(2026, 2, 10)
    )
    report = reports.meeting_report(UserFactory(is_superuser=True), start=JAN, end=MAR, depth=None)
    d1 = by_name(report)["Huyện 1"]
    assert d1.month_rows(report.months) == [(JAN, 2, 2), (FEB, 3, 1), (MAR, 2, 1)]


def test_a_committee_never_sees_units_outside_its_subtree(data, api, client):
    t = data
    viewer = staff(VIEWER, t["d1"])
    report = reports.meeting_report(viewer, start=JAN, end=MAR, depth=None)
    assert {u.name for u in report.units} == {"Huyện 1", "Xã 1", "Chi bộ 1.1", "Chi bộ 1.2"}
    assert report.root.name == "Huyện 1" and report.root.expected == 6
    assert "Em" not in {a.full_name for a in report.absentees}
    for outside in (t["d2"], t["c21"], t["province"]):
        with pytest.raises(PermissionDenied):
            reports.meeting_report(viewer, root=outside, start=JAN, end=MAR)
    # the API
    api.force_authenticate(viewer)
    url = reverse("api:report-meetings")
    body = api.get(url, {"from": "2026-01", "to": "2026-03", "depth": "all"}).json()
    assert {u["name"] for u in body["units"]} == {"Huyện 1", "Xã 1", "Chi bộ 1.1", "Chi bộ 1.2"}
    assert body["root"]["held"] == 4 and body["root"]["materials_by_level"]["province"] == 1
    assert api.get(url, {"org": t["d2"].pk}).status_code == 404
    assert api.get(url, {"org": t["c21"].pk}).status_code == 404
    # the admin page
    login(client, viewer)
    page = client.get(
        reverse("meetings_materials_admin:report"), {"start": "01/2026", "end": "03/2026"}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Huyện 1" in text and "Bình" in text
    for outside in ("Huyện 2", "Chi bộ 2.1", "Tỉnh A", "Em<"):
        assert outside not in text
    page = client.get(reverse("meetings_materials_admin:report"), {"org": t["d2"].pk})
    assert (
        "nằm ngoài phạm vi" in page.content.decode() and "Chi bộ 2.1" not in page.content.decode()
    )


def test_a_secretary_reports_on_their_own_cell_and_a_member_on_nothing(data, api):
    t = data
    secretary = staff(CELL_SECRETARY, t["c12"])
    report = reports.meeting_report(secretary, start=JAN, end=MAR)
    assert [u.name for u in report.units] == ["Chi bộ 1.2"]
    member = t["a"].user
    with pytest.raises(PermissionDenied):
        reports.meeting_report(member)
    api.force_authenticate(member)
    assert api.get(reverse("api:report-meetings")).status_code == 403


def test_bad_input_is_refused_in_vietnamese(data, api):
    viewer = staff(VIEWER, data["d1"])
    api.force_authenticate(viewer)
    url = reverse("api:report-meetings")
    for params, field in (
        ({"from": "13/2026"}, "from"),
        ({"to": "abc"}, "to"),
        ({"org": "x"}, "org"),
        ({"from": "2026-05", "to": "2026-01"}, "start"),
        ({"from": "2020-01", "to": "2026-01"}, "start"),
        ({"depth": "-1"}, "depth"),
    ):
        response = api.get(url, params)
        assert response.status_code == 400, params
        assert field in response.json()["fields"]
    assert "Tháng không hợp lệ" in api.get(url, {"from": "13/2026"}).json()["detail"]
    with pytest.raises(ValidationError):
        reports.period(MAR, JAN)


def test_queries_do_not_grow_with_the_number_of_cells(data):
    t = data
    admin = UserFactory(is_superuser=True)

    def count():
        with CaptureQueriesContext(connection) as queries:
            reports.meeting_report(admin, start=JAN, end=MAR, depth=None, use_cache=False)
        return len(queries)

    before = count()
    base = Organisation.objects.get(pk=t["b2"].pk)
    for n in range(6):
        cell = org(OrgKind.CELL, Organisation.objects.get(pk=base.pk), f"Chi bộ thêm {n}")
        member = MemberFactory(cell=cell)
        for month in (JAN, FEB, MAR):
            held(cell, month, {member: A})
    report = reports.meeting_report(admin, start=JAN, end=MAR, depth=None, use_cache=False)
    assert len(report.absentees) == 7
    assert count() == before


def test_the_report_is_cached_briefly(data):
    admin = UserFactory(is_superuser=True)
    first = reports.meeting_report(admin, start=JAN, end=MAR)
    with CaptureQueriesContext(connection) as queries:
        again = reports.meeting_report(admin, start=JAN, end=MAR)
    assert len(queries) <= 2 and again.root.expected == first.root.expected


def test_statistics_providers_are_registered_and_scoped_by_the_units_given(data):
    t = data
    today = timezone.localdate()
    cell = Organisation.objects.get(pk=t["c22"].pk)
    member = MemberFactory(cell=cell)
    mat = Material.objects.create(issuer_org=t["d2"], audience_org=t["d2"], title="Tháng này")
    m = held(cell, reports.month_start(today), {member: P}, day=1)
    MeetingMaterial.objects.create(meeting=m, material=mat)
    units = list(Organisation.objects.filter(pk__in=[t["d1"].pk, t["d2"].pk]))
    assert registry.statistics["meetings.held_rate"].compute(units) == {
        t["d1"].pk: 0.0,
        t["d2"].pk: 50.0,
    }
    assert registry.statistics["meetings.attendance_rate"].compute(units) == {
        t["d1"].pk: None,
        t["d2"].pk: 100.0,
    }
    assert registry.statistics["meetings.materials_used"].compute(units) == {
        t["d1"].pk: 0,
        t["d2"].pk: 1,
    }
