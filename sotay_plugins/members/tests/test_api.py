import pytest
from wagtail.models import ModelLogEntry

from tests.factories import MemberFactory, UserFactory, grant


@pytest.fixture
def people(tree):
    return {
        "a": MemberFactory(cell=tree["c11"], positions=frozenset({"bi_thu_chi_bo"})),
        "a2": MemberFactory(cell=tree["c12"]),
        "b": MemberFactory(cell=tree["c21"]),
    }


def test_me_returns_the_callers_record(api, people, tree):
    api.force_authenticate(people["a"].user)
    me = api.get("/api/v1/me/").json()
    assert (
        me["cell"] == tree["c11"].pk
        and me["positions"] == ["bi_thu_chi_bo"]
        and me["group"] == "official"
    )
    assert me["cccd"] == people["a"].cccd  # one's own number is not masked


def test_me_needs_a_token(api, db):
    assert api.get("/api/v1/me/").status_code == 401
    assert "detail" in api.get("/api/v1/me/").json()


def test_a_member_sees_only_their_own_record(api, people):
    api.force_authenticate(people["a"].user)
    assert [r["id"] for r in api.get("/api/v1/members/").json()["results"]] == [people["a"].id]
    assert api.get(f"/api/v1/members/{people['b'].id}/").status_code == 404


def test_viewer_of_a_district_sees_its_members_masked_and_nothing_outside(api, people, tree):
    viewer = UserFactory()
    grant(viewer, "viewer", tree["d1"])
    api.force_authenticate(viewer)
    rows = api.get("/api/v1/members/").json()["results"]
    assert sorted(r["id"] for r in rows) == sorted([people["a"].id, people["a2"].id])
    assert all(r["cccd"].startswith("*********") and r["birth_date"] is None for r in rows)
    assert api.get(f"/api/v1/members/{people['b'].id}/").status_code == 404
    detail = api.get(f"/api/v1/members/{people['a'].id}/")
    assert detail.status_code == 200
    assert ModelLogEntry.objects.filter(action="sotay_members.view", user_id=viewer.pk).count() == 1


def test_updater_sees_personal_data_and_the_view_is_audited(api, people, tree):
    updater = UserFactory()
    grant(updater, "member_updater", tree["b1"])
    api.force_authenticate(updater)
    detail = api.get(f"/api/v1/members/{people['a'].id}/").json()
    assert detail["cccd"] == people["a"].cccd and detail["birth_date"] == "1970-05-02"
    entry = ModelLogEntry.objects.get(action="sotay_members.view_personal")
    assert entry.user_id == updater.pk and people["a"].cccd not in str(entry.data)
    assert api.get(f"/api/v1/members/{people['b'].id}/").status_code == 404


def test_member_list_filters_by_unit_subtree(api, people, tree):
    admin = UserFactory()
    grant(admin, "full_admin", tree["province"])
    api.force_authenticate(admin)
    ids = [r["id"] for r in api.get(f"/api/v1/members/?org={tree['d2'].pk}").json()["results"]]
    assert ids == [people["b"].id]


def test_member_list_query_count_does_not_grow(api, tree, django_assert_max_num_queries):
    admin = UserFactory()
    grant(admin, "full_admin", tree["province"])
    api.force_authenticate(admin)
    for _ in range(15):
        MemberFactory(cell=tree["c11"])
    with django_assert_max_num_queries(6):
        assert len(api.get("/api/v1/members/").json()["results"]) == 15


def test_orgs_api_is_scoped(api, people, tree):
    api.force_authenticate(people["a"].user)
    ids = {r["id"] for r in api.get("/api/v1/orgs/").json()["results"]}
    assert ids == {tree["province"].pk, tree["d1"].pk, tree["b1"].pk, tree["c11"].pk}
    assert api.get(f"/api/v1/orgs/{tree['c21'].pk}/").status_code == 404


def test_schema_is_served(api, db):
    response = api.get("/api/v1/schema/")
    assert response.status_code == 200 and b"/api/v1/me/" in response.content
