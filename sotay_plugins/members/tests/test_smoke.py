from tests.factories import MemberFactory


def test_member_sees_own_record_only(tree, api):
    a = MemberFactory(cell=tree["c11"])
    b = MemberFactory(cell=tree["c12"])
    api.force_authenticate(a.user)
    rows = api.get("/api/v1/members/").json()["results"]
    assert [r["id"] for r in rows] == [a.id]
    assert api.get(f"/api/v1/members/{b.id}/").status_code == 404
