"""The member's pages ("Điểm của tôi", the boards) and the Wagtail admin screens, in scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sotay_plugins.study.points import boards, ledger
from sotay_plugins.study.points.models import PointLine, PointSettings, RuleOverride
from tests.factories import login

from .points_helpers import ago, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = make_world()
    ledger.award("study.quiz_passed", w["a"].pk, "study.quiz:1", ago(days=3))
    ledger.award("study.quiz_passed", w["far"].pk, "study.quiz:1", ago(days=3))
    boards.refresh(w["tree"]["province"].pk)
    return w


def text(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_my_points_page_explains_each_line(world, client):
    ledger.adjust(world["manager1"], world["a"], 3, "Khen thưởng phong trào")
    client.force_login(world["a"].user)
    page = text(client.get(reverse("study:points")))
    assert "Điểm của tôi" in page
    assert "Đạt bài kiểm tra nghị quyết" in page and "+10" in page
    assert "Điều chỉnh của cấp ủy" in page and "Khen thưởng phong trào" in page
    assert "Còn 87 điểm nữa" in page


def test_my_points_page_is_at_most_six_queries(world, client, django_assert_max_num_queries):
    for n in range(40):
        ledger.award("editorial.read", world["a"].pk, f"editorial.documentpage:{n}", ago(days=n))
    client.force_login(world["a"].user)
    client.get(reverse("study:points"))
    with django_assert_max_num_queries(6):
        response = client.get(reverse("study:points"))
    assert response.status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("study:points") + "?trang=2").status_code == 200


def test_my_points_page_is_for_members(world, client):
    client.force_login(world["viewer"])
    assert client.get(reverse("study:points")).status_code == 404
    client.logout()
    assert client.get(reverse("study:points")).status_code == 302


def test_the_boards_page_shows_my_cell_and_my_ranks_only(world, client):
    client.force_login(world["a"].user)
    page = text(client.get(reverse("study:boards")))
    assert "Chi bộ 1.1" in page and "Nguyễn Văn An" in page and "Trần Thị Bình" in page
    assert "Hoàng Thị Xa" not in page  # another district's member: never named
    assert "Hạng 1" in page  # in the province: tied with Xa (10 points each), a shared rank
    page = text(client.get(reverse("study:boards") + "?ky=thang&trang=abc"))
    assert "Tháng này" in page


def test_the_home_card_leads_to_the_pages(world, client):
    client.force_login(world["a"].user)
    page = text(client.get("/"))
    assert reverse("study:points") in page and reverse("study:boards") in page


# --- admin ---------------------------------------------------------------------------------


def test_admin_rules_list_is_read_only_and_shows_overrides(world, client):
    RuleOverride.objects.create(
        province=world["tree"]["province"], rule="meetings.attended", points=8
    )
    login(client, world["viewer"])
    page = text(client.get(reverse("points_admin:rules")))
    assert "meetings.attended" in page and "Tỉnh đặt riêng" in page
    assert reverse("points_admin:settings", args=[world["tree"]["province"].pk]) not in page


def test_admin_ledger_of_a_member_is_scoped(world, client):
    login(client, world["manager1"])
    own = client.get(reverse("points_admin:ledger", args=[world["a"].pk]))
    assert "Đạt bài kiểm tra" in text(own)
    assert client.get(reverse("points_admin:ledger", args=[world["far"].pk])).status_code == 404
    found = text(client.get(reverse("points_admin:search") + "?q=Xa"))
    assert "Hoàng Thị Xa" not in found
    assert "Nguyễn Văn An" in text(client.get(reverse("points_admin:search") + "?q=nguyen van"))


def test_admin_adjustment_writes_a_line_with_its_reason(world, client):
    login(client, world["manager1"])
    url = reverse("points_admin:adjust", args=[world["a"].pk])
    response = client.post(url, {"points": "-4", "reason": "Trừ điểm sai quy định"})
    assert response.status_code == 302
    line = PointLine.objects.get(rule="adjustment")
    assert (line.points, line.reason, line.created_by) == (
        -4,
        "Trừ điểm sai quy định",
        world["manager1"],
    )


@pytest.mark.parametrize(
    "data", [{"points": "0", "reason": "x"}, {"points": "5", "reason": ""}, {"points": "abc"}]
)
def test_admin_adjustment_refuses_bad_input_in_vietnamese(world, client, data):
    login(client, world["manager1"])
    response = client.post(reverse("points_admin:adjust", args=[world["a"].pk]), data)
    assert response.status_code == 200
    assert "Chưa thực hiện được" in response.content.decode()
    assert not PointLine.objects.filter(rule="adjustment").exists()


def test_admin_adjustment_of_another_district_is_404(world, client):
    login(client, world["manager2"])
    url = reverse("points_admin:adjust", args=[world["a"].pk])
    assert client.post(url, {"points": "5", "reason": "Khen"}).status_code == 404
    login(client, world["viewer"])  # may see, may not adjust
    assert client.post(url, {"points": "5", "reason": "Khen"}).status_code == 404
    assert not PointLine.objects.filter(rule="adjustment").exists()


def test_admin_boards_are_scoped(world, client):
    login(client, world["manager1"])
    page = text(client.get(reverse("points_admin:boards")))
    assert "Nguyễn Văn An" in page and "Hoàng Thị Xa" not in page
    d2 = world["tree"]["d2"].pk
    response = client.get(reverse("points_admin:boards") + f"?unit={d2}")
    assert "Hoàng Thị Xa" not in response.content.decode()
    far_cell = world["tree"]["c21"].pk
    assert client.get(reverse("points_admin:boards") + f"?chi_bo={far_cell}").status_code == 404


def test_admin_province_settings_by_the_provincial_manager_only(world, client):
    province = world["tree"]["province"]
    url = reverse("points_admin:settings", args=[province.pk])
    login(client, world["manager1"])  # a district's manager
    assert client.get(url).status_code == 404
    login(client, world["province_manager"])
    assert "Chỉ tiêu điểm mỗi năm" in text(client.get(url))
    form = {"yearly_target": "120", "hide_names": "on"}
    for rule in (
        "study.read",
        "study.completed",
        "study.session_attended",
        "study.quiz_passed",
        "meetings.attended",
        "editorial.read",
    ):
        form.update({f"{rule}__points": "5", f"{rule}__active": "on"})
    form["study.quiz_passed__points"] = "15"
    response = client.post(url, form)
    assert response.status_code == 302
    settings = PointSettings.objects.get(province=province)
    assert (settings.yearly_target, settings.hide_names) == (120, True)
    assert boards.settings_for(province.pk).yearly_target == 120
    override = RuleOverride.objects.get(province=province, rule="study.quiz_passed")
    assert override.points == 15
    assert PointLine.objects.get(member=world["a"]).points == 10  # the past stays


def test_admin_province_settings_refuse_bad_input(world, client):
    province = world["tree"]["province"]
    login(client, world["province_manager"])
    response = client.post(
        reverse("points_admin:settings", args=[province.pk]), {"yearly_target": "-5"}
    )
    assert response.status_code == 200 and "Chưa lưu được" in response.content.decode()
    assert not PointSettings.objects.exists()


def test_a_plain_member_has_no_points_admin(world, client):
    login(client, world["a"].user)
    for name in ("rules", "search", "boards"):
        response = client.get(reverse(f"points_admin:{name}"))
        assert response.status_code in (302, 403), name
