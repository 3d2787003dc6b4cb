"""/api/v1/points/me/ and /api/v1/leaderboards/: the contract's fields, scope, bad input."""

from __future__ import annotations

import pytest

from sotay_plugins.study.points import boards, ledger
from sotay_plugins.study.points.models import PointSettings

from .points_helpers import ago, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = make_world()
    a = w["a"]
    ledger.award("study.quiz_passed", a.pk, "study.quiz:1", ago(days=3))
    ledger.award("editorial.read", a.pk, "editorial.documentpage:5", ago(days=2))
    ledger.adjust(w["manager1"], a, -2, "Trừ điểm ghi trùng")
    ledger.award("study.quiz_passed", w["far"].pk, "study.quiz:1", ago(days=3))
    boards.refresh(w["tree"]["province"].pk)
    return w


def test_my_points_has_the_total_and_the_lines(world, api):
    api.force_authenticate(world["a"].user)
    data = api.get("/api/v1/points/me/").json()
    assert data["total"] == 9 and data["target"] == 100 and data["count"] == 3
    assert data["progress"] == 9 and data["reached"] is False
    first = data["results"][0]
    assert {"rule", "points", "at", "label", "issuer_org", "audience_org"} <= set(first)
    assert first["rule"] == "adjustment" and first["points"] == -2
    assert first["reason"] == "Trừ điểm ghi trùng"
    assert first["issuer_org"] == world["tree"]["d1"].pk
    assert first["audience_org"] == world["tree"]["c11"].pk
    assert [line["rule"] for line in data["results"]][1:] == ["editorial.read", "study.quiz_passed"]


def test_my_points_shows_only_my_own_lines(world, api):
    api.force_authenticate(world["b"].user)
    data = api.get("/api/v1/points/me/").json()
    assert data["total"] == 0 and data["results"] == []


def test_my_points_of_a_staff_account_is_404_in_vietnamese(world, api):
    api.force_authenticate(world["viewer"])
    response = api.get("/api/v1/points/me/")
    assert response.status_code == 404
    assert "đảng viên" in response.json()["detail"]


def test_my_points_needs_a_login(world, api):
    assert api.get("/api/v1/points/me/").status_code in (401, 403)


@pytest.mark.parametrize("query", ["year=abc", "year=1800", "year=99999", "page=0", "page=x"])
def test_my_points_refuses_bad_parameters(world, api, query):
    api.force_authenticate(world["a"].user)
    response = api.get(f"/api/v1/points/me/?{query}")
    assert response.status_code in (400, 404)
    assert response.json()["detail"]


def test_my_points_of_another_year_is_empty(world, api):
    api.force_authenticate(world["a"].user)
    data = api.get("/api/v1/points/me/?year=2001").json()
    assert data["total"] == 0 and data["results"] == []


def test_leaderboards_give_my_cell_and_my_rank_above_it(world, api):
    api.force_authenticate(world["a"].user)
    data = api.get("/api/v1/leaderboards/").json()
    assert data["board"]["unit"] == world["tree"]["c11"].pk
    assert data["board"]["issuer_org"] == data["board"]["audience_org"] == world["tree"]["c11"].pk
    assert data["count"] == 3
    mine = [row for row in data["results"] if row["me"]]
    assert mine[0]["points"] == 9 and mine[0]["member"] == world["a"].pk
    assert all(row["member"] is None for row in data["results"] if not row["me"])
    assert [r["level"] for r in data["my_ranks"]] == ["cell", "base", "district", "province"]
    assert data["my_ranks"][3]["rank"] == 2  # Xa has 10, An 9
    month = api.get("/api/v1/leaderboards/?period=month").json()
    assert month["period"] == "month"


def test_a_member_cannot_list_another_cells_board(world, api):
    api.force_authenticate(world["a"].user)
    for unit in ("c12", "c21", "b1", "d1", "province"):
        response = api.get(f"/api/v1/leaderboards/?unit={world['tree'][unit].pk}")
        assert response.status_code == 404, unit
        assert "Hoàng Thị Xa" not in response.content.decode()


def test_staff_list_the_boards_of_their_subtree_only(world, api):
    api.force_authenticate(world["manager1"])
    assert api.get(f"/api/v1/leaderboards/?unit={world['tree']['d1'].pk}").status_code == 200
    assert api.get(f"/api/v1/leaderboards/?unit={world['tree']['c21'].pk}").status_code == 404
    assert api.get("/api/v1/leaderboards/").status_code == 400  # a staff account names a unit
    api.force_authenticate(world["viewer"])
    data = api.get(f"/api/v1/leaderboards/?unit={world['tree']['province'].pk}").json()
    assert [row["name"] for row in data["results"]][:2] == ["Hoàng Thị Xa", "Nguyễn Văn An"]


def test_hidden_names_in_the_api(world, api):
    PointSettings.objects.create(province=world["tree"]["province"], hide_names=True)
    boards.settings_changed(world["tree"]["province"].pk)
    api.force_authenticate(world["b"].user)
    data = api.get("/api/v1/leaderboards/").json()
    assert data["board"]["names_hidden"] is True
    assert "N. V. A." in [row["name"] for row in data["results"]]


@pytest.mark.parametrize("query", ["period=week", "unit=abc", "unit=0", "unit=999999999"])
def test_leaderboards_refuse_bad_parameters(world, api, query):
    api.force_authenticate(world["a"].user)
    response = api.get(f"/api/v1/leaderboards/?{query}")
    assert response.status_code in (400, 404)
    assert response.json()["detail"]


def test_both_endpoints_are_in_the_schema(world, api):
    api.force_authenticate(world["viewer"])
    schema = api.get("/api/v1/schema/?format=json").json()
    assert "/api/v1/points/me/" in schema["paths"]
    assert "/api/v1/leaderboards/" in schema["paths"]
