"""Implementation plans (kế hoạch thực hiện) and the study reports: recorded once per unit by its
own committee, the units that have not and how late they are (scoped), the completion report
and its Excel export, the admin screens."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from sotay_plugins.study.plans import services
from sotay_plugins.study.plans.models import ImplementationPlan
from sotay_plugins.study.resolutions import reports
from sotay_plugins.study.resolutions import services as reading
from tests.factories import login

from .resolutions_helpers import api_for, plan_for, resolution, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def test_a_committee_records_its_own_plan_once(w):
    tree = w["tree"]
    plan = plan_for(w, deadline=timezone.localdate() - timedelta(days=5))
    today = timezone.localdate()
    item = services.record_implementation(
        w["d1_officer"], plan, tree["d1"], number="12-KH/HU", issued_on=today, text="Nội dung"
    )
    assert item.days_late() == 5 and item.audience_org == tree["d1"]
    with pytest.raises(ValidationError) as err:
        services.record_implementation(
            w["d1_officer"], plan, tree["d1"], number="13-KH/HU", issued_on=today, text="Lại"
        )
    assert "org" in err.value.message_dict
    assert ImplementationPlan.objects.count() == 1


def test_bad_implementation_input_is_refused(w):
    tree = w["tree"]
    plan = plan_for(w, audience=tree["d1"])
    with pytest.raises(PermissionDenied):
        services.record_implementation(
            w["d1_officer"], plan, tree["d2"], number="1", issued_on=timezone.localdate(), text="x"
        )
    with pytest.raises(ValidationError) as err:
        services.record_implementation(
            w["d2_officer"], plan, tree["d2"], number="1", issued_on=timezone.localdate(), text="x"
        )
    assert "org" in err.value.message_dict  # outside the plan's units
    with pytest.raises(ValidationError) as err:
        services.record_implementation(
            w["d1_officer"],
            plan,
            tree["b1"],
            number="",
            issued_on=timezone.localdate() + timedelta(days=3),
            text="",
        )
    assert {"number", "issued_on", "text"} <= set(err.value.message_dict)
    with pytest.raises(ValidationError):  # cells plan only when the plan says so
        services.record_implementation(
            w["secretary"].user,
            plan,
            tree["c11"],
            number="1",
            issued_on=timezone.localdate(),
            text="x",
        )
    assert not ImplementationPlan.objects.exists()


def test_upper_levels_see_who_has_not_and_how_late(w, client):
    tree = w["tree"]
    plan = plan_for(w, deadline=timezone.localdate() - timedelta(days=7))
    services.record_implementation(
        w["d1_officer"],
        plan,
        tree["d1"],
        number="12-KH/HU",
        issued_on=timezone.localdate(),
        text="x",
    )
    rows = services.missing_implementation(w["province_officer"])
    assert {unit.pk for _plan, unit, _late in rows} == {tree["d2"].pk, tree["b1"].pk, tree["b2"].pk}
    assert all(late == 7 for _plan, _unit, late in rows)
    d1_rows = services.missing_implementation(w["d1_officer"])
    assert {unit.pk for _plan, unit, _late in d1_rows} == {tree["b1"].pk}
    api = api_for(w["d1_officer"])
    body = api.get(f"/api/v1/study/plans/{plan.pk}/missing-implementation/").json()
    assert [r["org"] for r in body["results"]] == [tree["b1"].pk]
    assert body["results"][0]["days_late"] == 7
    login(client, w["d2_officer"])
    page = client.get(reverse("study_reports:missing")).content.decode()
    assert tree["b2"].name in page and tree["b1"].name not in page


def test_api_creates_for_its_own_unit_only(w):
    tree = w["tree"]
    plan = plan_for(w)
    api = api_for(w["d1_officer"])
    data = {
        "plan": plan.pk,
        "org": tree["d1"].pk,
        "number": "3-KH/HU",
        "text": "<b>x</b>",
        "issued_on": timezone.localdate().isoformat(),
    }
    made = api.post("/api/v1/study/implementation-plans/", data, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["issuer_org"] == made.json()["audience_org"] == tree["d1"].pk
    again = api.post("/api/v1/study/implementation-plans/", data, format="json")
    assert again.status_code == 400 and again.json()["detail"]
    other = api.post(
        "/api/v1/study/implementation-plans/", {**data, "org": tree["d2"].pk}, format="json"
    )
    assert other.status_code == 403
    assert (
        api_for(w["d2_officer"])
        .get(f"/api/v1/study/implementation-plans/{made.json()['id']}/")
        .status_code
        == 404
    )
    assert ImplementationPlan.objects.count() == 1


def test_completion_report_rolls_up_and_exports(w, client):
    tree = w["tree"]
    page = resolution(tree["province"])
    reading.mark_read(w["a"], page)
    reading.mark_quiz_passed(w["a"].pk, page.pk)
    reading.start(w["b"], page)
    total, rows = reports.completion_report(w["province_officer"], page, tree["province"])
    by_org = {row.org.pk: row for row in rows}
    # c11: a, b, secretary; c12: neighbour; c21: far, other secretary (exempt left out)
    assert total.members == 6 and total.completed == 1 and total.started == 2
    assert by_org[tree["d1"].pk].members == 4 and by_org[tree["d1"].pk].rate == 25.0
    assert by_org[tree["d2"].pk].not_started == 2
    with pytest.raises(PermissionError):
        reports.completion_report(w["d2_officer"], page, tree["d1"])
    names = {m.full_name for m in reports.not_started(w["d1_officer"], page, tree["d1"])}
    assert "Đảng viên C" in names and "Đảng viên A" not in names
    login(client, w["province_officer"])
    url = reverse("study_reports:completion")
    params = {"resolution": page.pk, "org": tree["province"].pk}
    shown = client.get(url, params)
    assert shown.status_code == 200 and tree["d1"].name in shown.content.decode()
    xlsx = client.get(url, {**params, "xlsx": "1"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.open")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.content))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert tree["d1"].name in cells
    login(client, w["d2_officer"])
    refused = client.get(url, {"resolution": page.pk, "org": tree["d1"].pk})
    assert tree["d1"].name not in refused.content.decode() or refused.status_code != 200


def _month_figures(key, cells=None):
    from sotay_plugins.registry import registry

    month = timezone.localdate().replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    return {
        (f.cell_id, f.measure): f.value
        for f in registry.statistics[key].rows(month, following, cells=cells)
    }


def test_statistics_providers_are_registered_and_scoped_by_unit(w):
    from sotay_plugins.registry import registry

    tree = w["tree"]
    page = resolution(tree["province"])
    reading.mark_read(w["a"], page)
    reading.mark_quiz_passed(w["a"].pk, page.pk)
    figures = _month_figures("study.resolutions")
    c11, c21 = tree["c11"].pk, tree["c21"].pk
    # this month in cell 1.1: a completed; the secretary, a and b are asked (not the exempt)
    assert figures[(c11, "completed")] == 1 and figures[(c11, "audience")] == 3
    assert (c21, "completed") not in figures
    assert set(_month_figures("study.resolutions", cells={c21})) == {(c21, "audience")}
    plan_for(w, deadline=timezone.localdate() - timedelta(days=1))
    missing = registry.statistics["study.without_implementation_plan"].compute([tree["d1"]])
    assert missing == {tree["d1"].pk: 2}
    plans = _month_figures("study.plans")
    # the plan is due this month for district 1, base 1, district 2 and base 2: none recorded
    assert plans[(tree["d1"].pk, "due")] == 1 and (tree["d1"].pk, "on_time") not in plans


def test_admin_listings_are_scoped(w, client):
    tree = w["tree"]
    d1_plan = services.announce_plan(
        w["d1_officer"],
        issuer_org=tree["d1"],
        audience_org=tree["d1"],
        resolution=resolution(tree["province"]),
        title="Kế hoạch của huyện 1",
        deadline=timezone.localdate(),
    )
    login(client, w["d2_officer"])
    listing = client.get(reverse("study_plan:index"))
    assert listing.status_code == 200 and d1_plan.title not in listing.content.decode()
    assert client.get(reverse("study_plan:inspect", args=[d1_plan.pk])).status_code == 404
    assert client.get(reverse("study_plan:edit", args=[d1_plan.pk])).status_code in (302, 403, 404)
    login(client, w["d1_officer"])
    assert d1_plan.title in client.get(reverse("study_plan:index")).content.decode()
    assert client.get(reverse("study_plan:inspect", args=[d1_plan.pk])).status_code == 200
    assert client.get(reverse("study_plan:add")).status_code == 200
    assert client.get(reverse("study_session:add")).status_code == 200
    assert client.get(reverse("study_implementation:add")).status_code == 200


def test_admin_create_session_refuses_end_before_start(w, client):
    plan = plan_for(w)
    login(client, w["province_officer"])
    response = client.post(
        reverse("study_session:add"),
        {
            "plan": plan.pk,
            "issuer_org": w["tree"]["province"].pk,
            "audience_org": w["tree"]["c11"].pk,
            "title": "Buổi học",
            "starts_at": "10/12/2026 09:00",
            "ends_at": "10/12/2026 08:00",
            "place": "Hội trường",
            "expected_participants": "0",
        },
    )
    assert response.status_code == 200
    assert "Giờ kết thúc phải sau giờ bắt đầu." in response.content.decode()
    assert not plan.sessions.exists()


def test_the_resolution_pages_listing_for_a_superuser(w, client):
    from tests.factories import UserFactory

    page = resolution(w["tree"]["province"], title="Nghị quyết để liệt kê")
    admin = UserFactory(is_superuser=True, is_staff=True)
    login(client, admin)
    listing = client.get(reverse("study_resolutions:index"))
    assert listing.status_code == 200 and page.title in listing.content.decode()


def test_the_page_editor_opens_a_resolution_for_a_superuser(w, client):
    from sotay_plugins.study.resolutions.services import study_index
    from tests.factories import UserFactory

    page = resolution(w["tree"]["province"])
    admin = UserFactory(is_superuser=True, is_staff=True)
    login(client, admin)
    add = reverse("wagtailadmin_pages:add", args=["study", "resolutionpage", study_index().pk])
    form = client.get(add)
    assert form.status_code == 200 and "Đề cương theo đối tượng" in form.content.decode()
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert edit.status_code == 200 and page.number in edit.content.decode()


def test_study_statistics_match_their_definition_on_every_cell(w):
    """The provider reads every cell's figures from a GROUP BY; the definition is per cell: its
    active, non-exempt members' study rows that reached each step this month."""
    from sotay_plugins.orgtree.choices import MemberGroup
    from sotay_plugins.study.resolutions.models import ResolutionStudy

    tree = w["tree"]
    province_wide, district_only = resolution(tree["province"]), resolution(tree["d1"])
    reading.mark_read(w["a"], province_wide)
    reading.mark_quiz_passed(w["a"].pk, province_wide.pk)
    reading.mark_read(w["a"], district_only)
    reading.mark_read(w["neighbour"], province_wide)
    reading.mark_read(w["exempt"], province_wide)
    figures = _month_figures("study.resolutions")
    rows = ResolutionStudy.objects.filter(member__status="active").exclude(
        member__group=MemberGroup.EXEMPT
    )
    for cell in (tree["c11"], tree["c12"], tree["c21"]):
        for measure, field in (("started", "started_at"), ("read", "read_at")):
            expected = rows.filter(member__cell=cell, **{f"{field}__isnull": False}).count()
            assert figures.get((cell.pk, measure), 0) == expected
    assert figures[(tree["c11"].pk, "read")] == 2 and figures[(tree["c11"].pk, "learners")] == 1
