"""The organisation tree in the Wagtail admin: who sees which units, bodies and role assignments,
and that restructuring goes through the services (errors shown in Vietnamese, nothing changed)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sotay_plugins.orgtree import scope, services
from sotay_plugins.orgtree.admin.scoped import policy_for
from sotay_plugins.orgtree.choices import OrgKind
from sotay_plugins.orgtree.models import AdvisoryBody, Organisation, OrgEvent, Role, RoleAssignment
from sotay_plugins.orgtree.permissions import grantable_roles, may_grant
from sotay_plugins.orgtree.roles import FULL_ADMIN, MEMBER_UPDATER, VIEWER
from tests.factories import MemberFactory, UserFactory, denied, grant, listed, login, org, staff

INDEX = "orgtree_organisation:index"


def tree_snapshot():
    return sorted(
        Organisation.objects.values_list("pk", "parent_id", "tree_id", "lft", "rght", "level")
    )


@pytest.fixture
def d1_admin(tree):
    return staff(FULL_ADMIN, tree["d1"])


def ids(tree, *names):
    return {tree[name].pk for name in names}


# --- access --------------------------------------------------------------------------------


def test_anonymous_and_plain_member_cannot_open_the_tree_admin(client, tree):
    response = client.get(reverse(INDEX))
    assert response.status_code == 302 and "login" in response["Location"]
    member = MemberFactory(cell=tree["c11"])
    response = login(client, member.user).get(reverse(INDEX))
    assert response.status_code == 302 and response.get("Location") != reverse(INDEX)


# --- the tree browser ----------------------------------------------------------------------


def test_listing_shows_only_the_units_the_user_manages(client, tree, d1_admin):
    got = listed(login(client, d1_admin).get(reverse(INDEX)))
    assert got == ids(tree, "d1", "b1", "c11", "c12")


def test_listing_within_a_unit_shows_its_subtree(client, tree):
    province_admin = staff(FULL_ADMIN, tree["province"])
    login(client, province_admin)
    got = listed(client.get(reverse(INDEX), {"within": tree["d1"].pk}))
    assert got == ids(tree, "d1", "b1", "c11", "c12")
    assert listed(client.get(reverse(INDEX), {"within": tree["b1"].pk})) == ids(
        tree, "b1", "c11", "c12"
    )


def test_viewer_sees_the_province_but_gets_no_edit_or_restructuring(client, tree):
    viewer = staff(VIEWER, tree["province"])
    login(client, viewer)
    assert listed(client.get(reverse(INDEX))) == {o.pk for o in tree.values()}
    content = client.get(reverse(INDEX)).content.decode()
    assert reverse("orgtree_organisation:edit", args=[tree["d2"].pk]) not in content
    assert reverse("orgtree_organisation:move", args=[tree["d2"].pk]) not in content
    assert denied(client.get(reverse("orgtree_organisation:edit", args=[tree["d2"].pk])))
    assert client.get(reverse("orgtree_organisation:move", args=[tree["d2"].pk])).status_code == 404
    assert denied(client.get(reverse("orgtree_organisation:add")))


def test_action_buttons_follow_the_right_and_the_units_state(client, tree, d1_admin):
    """One declaration (ObjectAction) drives the row menu and the edit page's header: the
    restructuring buttons where the user holds the right and the unit is active, the history
    always; nothing outside the user's scope."""
    login(client, d1_admin)
    all_actions = {"move", "merge", "dissolve", "events"}

    def offered(content, unit):
        return {
            a
            for a in all_actions
            if reverse(f"orgtree_organisation:{a}", args=[unit.pk]) in content
        }

    def pages(unit):
        listing = client.get(reverse(INDEX)).content.decode()
        edit = client.get(reverse("orgtree_organisation:edit", args=[unit.pk])).content.decode()
        return offered(listing, unit), offered(edit, unit)

    c11 = tree["c11"]
    assert pages(c11) == (all_actions, all_actions)
    assert offered(client.get(reverse(INDEX)).content.decode(), tree["c21"]) == set()
    Organisation.objects.filter(pk=c11.pk).update(is_active=False)
    assert pages(c11) == ({"events"}, {"events"})


def test_action_page_intro_names_the_unit_and_its_parent(client, tree, d1_admin):
    login(client, d1_admin)
    c11, b1 = tree["c11"], tree["b1"]
    response = client.get(reverse("orgtree_organisation:move", args=[c11.pk]))
    assert response.status_code == 200
    assert (
        f"Chuyển {c11.name} (cùng toàn bộ đơn vị trực thuộc) sang cấp trên mới. "
        f"Cấp trên hiện nay: {b1.name}."
    ) in response.content.decode()


def test_listing_filters_by_kind_and_drills_down(client, tree, d1_admin):
    login(client, d1_admin)
    assert listed(client.get(reverse(INDEX), {"kind": OrgKind.CELL})) == ids(tree, "c11", "c12")
    assert listed(client.get(reverse(INDEX), {"within": tree["b1"].pk})) == ids(
        tree, "b1", "c11", "c12"
    )
    # a unit outside the user's scope is not a valid filter value: nothing outside leaks
    assert listed(client.get(reverse(INDEX), {"within": tree["d2"].pk})) == ids(
        tree, "d1", "b1", "c11", "c12"
    )


def test_listing_counts_members_of_each_subtree(client, tree, d1_admin):
    (
        MemberFactory(cell=tree["c11"]),
        MemberFactory(cell=tree["c11"]),
        MemberFactory(cell=tree["c12"]),
    )
    MemberFactory(cell=tree["c21"])
    MemberFactory(cell=tree["c12"], status="deceased")
    response = login(client, d1_admin).get(reverse(INDEX))
    counts = {o.pk: o.member_count for o in response.context["object_list"]}
    assert counts == {tree["d1"].pk: 3, tree["b1"].pk: 3, tree["c11"].pk: 2, tree["c12"].pk: 1}


def test_listing_query_count_does_not_grow_with_units(client, tree, d1_admin):
    login(client, d1_admin)
    client.get(reverse(INDEX))  # warm caches (content types, site)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(INDEX))
    for _n in range(8):
        cell = org(OrgKind.CELL, tree["b1"])
        MemberFactory(cell=cell)
    client.get(reverse(INDEX))  # the tree writes invalidated the cached rights: warm them again
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse(INDEX))
    assert len(response.context["object_list"]) == 12
    assert len(many) == len(few)


# --- create and edit -----------------------------------------------------------------------


def test_create_offers_only_managed_parents_and_refuses_others(client, tree, d1_admin):
    login(client, d1_admin)
    form = client.get(reverse("orgtree_organisation:add")).context["form"]
    assert {o.pk for o in form.fields["parent"].queryset} == ids(tree, "d1", "b1")
    before = Organisation.objects.count()
    response = client.post(
        reverse("orgtree_organisation:add"),
        {
            "parent": tree["b2"].pk,
            "name": "Chi bộ lạ",
            "code": f"{tree['b2'].code}.77",
            "kind": OrgKind.CELL,
        },
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert Organisation.objects.count() == before


def test_create_shows_the_models_vietnamese_errors(client, tree, d1_admin):
    login(client, d1_admin)
    response = client.post(
        reverse("orgtree_organisation:add"),
        {"parent": tree["b1"].pk, "name": "Chi bộ mới", "code": "SAI.01", "kind": OrgKind.CELL},
    )
    assert response.status_code == 200
    assert "Mã phải bắt đầu bằng mã cấp trên" in response.content.decode()
    response = client.post(
        reverse("orgtree_organisation:add"),
        {
            "parent": tree["b1"].pk,
            "name": "Huyện trong xã",
            "code": f"{tree['b1'].code}.05",
            "kind": OrgKind.DISTRICT,
        },
    )
    assert "Loại tổ chức phải thấp hơn cấp trên" in response.content.decode()
    assert not Organisation.objects.filter(name__in=["Chi bộ mới", "Huyện trong xã"]).exists()


def test_create_goes_through_the_service(client, tree, d1_admin):
    login(client, d1_admin)
    response = client.post(
        reverse("orgtree_organisation:add"),
        {
            "parent": tree["b1"].pk,
            "name": "Chi bộ 1.3",
            "code": f"{tree['b1'].code}.13",
            "kind": OrgKind.CELL,
        },
    )
    assert response.status_code == 302
    created = Organisation.objects.get(name="Chi bộ 1.3")
    assert created.parent_id == tree["b1"].pk
    assert OrgEvent.objects.filter(org=created, kind=OrgEvent.Kind.CREATED, actor=d1_admin).exists()
    assert services.check_tree() == []


def test_edit_in_scope_but_not_outside(client, tree, d1_admin):
    login(client, d1_admin)
    url = reverse("orgtree_organisation:edit", args=[tree["b1"].pk])
    assert client.get(url).status_code == 200
    assert (
        client.post(url, {"name": "Xã Một Mới", "short_name": "", "founded_on": ""}).status_code
        == 302
    )
    assert Organisation.objects.get(pk=tree["b1"].pk).name == "Xã Một Mới"

    outside = reverse("orgtree_organisation:edit", args=[tree["b2"].pk])
    assert client.get(outside).status_code == 404
    assert (
        client.post(outside, {"name": "Bị sửa", "short_name": "", "founded_on": ""}).status_code
        == 404
    )
    assert Organisation.objects.get(pk=tree["b2"].pk).name == "Xã 2"


def test_edit_cannot_change_parent_or_code(client, tree, d1_admin):
    login(client, d1_admin)
    url = reverse("orgtree_organisation:edit", args=[tree["c11"].pk])
    before = tree_snapshot()
    client.post(
        url, {"name": "Chi bộ 1.1", "parent": tree["c21"].pk, "code": "X", "kind": OrgKind.BASE}
    )
    c11 = Organisation.objects.get(pk=tree["c11"].pk)
    assert (c11.parent_id, c11.code, c11.kind) == (tree["b1"].pk, tree["c11"].code, OrgKind.CELL)
    assert tree_snapshot() == before


def test_no_one_deletes_a_unit(client, tree):
    superuser = UserFactory(is_superuser=True)
    login(client, superuser)
    url = reverse("orgtree_organisation:delete", args=[tree["c12"].pk])
    assert denied(client.get(url)) or client.get(url).status_code == 404
    assert denied(client.post(url)) or client.post(url).status_code == 404
    assert Organisation.objects.filter(pk=tree["c12"].pk).exists()


# --- restructuring -------------------------------------------------------------------------


def test_move_into_own_subtree_shows_the_service_error_and_changes_nothing(client, tree, d1_admin):
    login(client, d1_admin)
    before = tree_snapshot()
    events = OrgEvent.objects.count()
    url = reverse("orgtree_organisation:move", args=[tree["d1"].pk])
    response = client.post(url, {"new_parent": tree["b1"].pk, "note": ""})
    assert response.status_code == 200
    assert (
        "Không thể chuyển một tổ chức vào chính nó hoặc vào đơn vị trực thuộc nó."
        in response.content.decode()
    )
    assert tree_snapshot() == before
    assert OrgEvent.objects.count() == events


def test_move_to_a_parent_outside_scope_is_refused(client, tree, d1_admin):
    login(client, d1_admin)
    before = tree_snapshot()
    response = client.post(
        reverse("orgtree_organisation:move", args=[tree["c11"].pk]), {"new_parent": tree["b2"].pk}
    )
    assert response.status_code == 200
    assert "new_parent" in response.context["form"].errors
    assert tree_snapshot() == before
    # and a unit outside scope cannot be moved at all
    assert (
        client.post(
            reverse("orgtree_organisation:move", args=[tree["c21"].pk]),
            {"new_parent": tree["b1"].pk},
        ).status_code
        == 404
    )
    assert tree_snapshot() == before


def test_move_by_the_province_office(client, tree):
    office = staff(FULL_ADMIN, tree["province"])
    login(client, office)
    response = client.post(
        reverse("orgtree_organisation:move", args=[tree["b1"].pk]),
        {"new_parent": tree["d2"].pk, "note": "QĐ 12"},
    )
    assert response.status_code == 302
    assert Organisation.objects.get(pk=tree["b1"].pk).parent_id == tree["d2"].pk
    event = OrgEvent.objects.get(org=tree["b1"], kind=OrgEvent.Kind.MOVED)
    assert (event.old_parent_id, event.new_parent_id, event.actor_id, event.note) == (
        tree["d1"].pk,
        tree["d2"].pk,
        office.pk,
        "QĐ 12",
    )
    assert services.check_tree() == []


def test_merge_moves_members_and_closes_the_source(client, tree, d1_admin):
    member = MemberFactory(cell=tree["c12"])
    login(client, d1_admin)
    form = client.get(reverse("orgtree_organisation:merge", args=[tree["c12"].pk])).context["form"]
    assert {o.pk for o in form.fields["target"].queryset} == ids(tree, "c11")
    response = client.post(
        reverse("orgtree_organisation:merge", args=[tree["c12"].pk]), {"target": tree["c11"].pk}
    )
    assert response.status_code == 302
    c12 = Organisation.objects.get(pk=tree["c12"].pk)
    assert (c12.is_active, c12.merged_into_id) == (False, tree["c11"].pk)
    member.refresh_from_db()
    assert member.cell_id == tree["c11"].pk


def test_dissolve_with_members_left_shows_why_and_changes_nothing(client, tree, d1_admin):
    MemberFactory(cell=tree["c11"])
    login(client, d1_admin)
    url = reverse("orgtree_organisation:dissolve", args=[tree["c11"].pk])
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 200
    assert "Còn 1 đảng viên đang sinh hoạt tại đơn vị." in response.content.decode()
    assert Organisation.objects.get(pk=tree["c11"].pk).is_active
    assert not OrgEvent.objects.filter(org=tree["c11"], kind=OrgEvent.Kind.DISSOLVED).exists()


def test_dissolve_needs_confirmation_then_closes_the_unit(client, tree, d1_admin):
    login(client, d1_admin)
    url = reverse("orgtree_organisation:dissolve", args=[tree["c12"].pk])
    response = client.post(url, {})
    assert response.status_code == 200 and "confirm" in response.context["form"].errors
    assert Organisation.objects.get(pk=tree["c12"].pk).is_active
    assert client.post(url, {"confirm": "on", "note": "QĐ giải thể"}).status_code == 302
    assert not Organisation.objects.get(pk=tree["c12"].pk).is_active


def test_events_page_shows_history_in_scope_only(client, tree, d1_admin):
    services.move_org(
        tree["c12"], tree["b1"], note="Ghi chú chuyển"
    )  # a no-op move still leaves an event
    login(client, d1_admin)
    response = client.get(reverse("orgtree_organisation:events", args=[tree["c12"].pk]))
    assert response.status_code == 200
    assert "Ghi chú chuyển" in response.content.decode()
    assert (
        client.get(reverse("orgtree_organisation:events", args=[tree["c21"].pk])).status_code == 404
    )


# --- advisory bodies -----------------------------------------------------------------------


def test_advisory_bodies_are_scoped(client, tree, d1_admin):
    mine = AdvisoryBody.objects.create(
        org=tree["d1"], kind="van_phong", name="Văn phòng Huyện ủy 1"
    )
    theirs = AdvisoryBody.objects.create(
        org=tree["d2"], kind="van_phong", name="Văn phòng Huyện ủy 2"
    )
    login(client, d1_admin)
    assert listed(client.get(reverse("orgtree_advisorybody:index"))) == {mine.pk}
    assert client.get(reverse("orgtree_advisorybody:edit", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("orgtree_advisorybody:add"),
        {"org": tree["d2"].pk, "kind": "to_chuc", "name": "Ban Tổ chức lạ", "is_active": "on"},
    )
    assert response.status_code == 200 and "org" in response.context["form"].errors
    assert not AdvisoryBody.objects.filter(name="Ban Tổ chức lạ").exists()
    response = client.post(
        reverse("orgtree_advisorybody:add"),
        {
            "org": tree["d1"].pk,
            "kind": "to_chuc",
            "name": "Ban Tổ chức Huyện ủy 1",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert AdvisoryBody.objects.filter(name="Ban Tổ chức Huyện ủy 1", org=tree["d1"]).exists()


# --- role assignments ----------------------------------------------------------------------


def test_role_assignments_listing_is_scoped(client, tree, d1_admin):
    inside = grant(UserFactory(), VIEWER, tree["c11"])
    outside = grant(UserFactory(), VIEWER, tree["d2"])
    login(client, d1_admin)
    got = listed(client.get(reverse("orgtree_roleassignment:index")))
    assert inside.pk in got and outside.pk not in got
    assert client.get(reverse("orgtree_roleassignment:edit", args=[outside.pk])).status_code == 404
    assert (
        client.post(reverse("orgtree_roleassignment:delete", args=[outside.pk])).status_code == 404
    )
    assert RoleAssignment.objects.filter(pk=outside.pk).exists()


def test_role_assignments_within_a_unit(client, tree):
    province_admin = staff(FULL_ADMIN, tree["province"])
    under_b1 = grant(UserFactory(), VIEWER, tree["c11"])
    at_d1 = grant(UserFactory(), VIEWER, tree["d1"])
    elsewhere = grant(UserFactory(), VIEWER, tree["c21"])
    login(client, province_admin)
    index = reverse("orgtree_roleassignment:index")
    got = listed(client.get(index, {"within": tree["b1"].pk}))
    assert under_b1.pk in got and at_d1.pk not in got and elsewhere.pk not in got
    got = listed(client.get(index, {"within": tree["d1"].pk}))
    assert {under_b1.pk, at_d1.pk} <= got and elsewhere.pk not in got


def test_grant_choices_are_limited_and_granted_by_is_recorded(client, tree, d1_admin):
    target = UserFactory(username="canbo.moi")
    login(client, d1_admin)
    form = client.get(reverse("orgtree_roleassignment:add")).context["form"]
    assert {o.pk for o in form.fields["org"].queryset} == ids(tree, "d1", "b1", "c11", "c12")
    response = client.post(
        reverse("orgtree_roleassignment:add"),
        {
            "username": "canbo.moi",
            "role": Role.objects.get(code=VIEWER).pk,
            "org": tree["c11"].pk,
            "valid_from": "2026-01-01",
        },
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=target)
    assert (assignment.org_id, assignment.granted_by_id) == (tree["c11"].pk, d1_admin.pk)


def test_cannot_grant_at_a_unit_outside_scope(client, tree, d1_admin):
    UserFactory(username="canbo.ngoai")
    login(client, d1_admin)
    response = client.post(
        reverse("orgtree_roleassignment:add"),
        {
            "username": "canbo.ngoai",
            "role": Role.objects.get(code=VIEWER).pk,
            "org": tree["d2"].pk,
            "valid_from": "2026-01-01",
        },
    )
    assert response.status_code == 200 and "org" in response.context["form"].errors
    assert not RoleAssignment.objects.filter(user__username="canbo.ngoai").exists()


def test_grant_bad_input_is_explained_in_vietnamese(client, tree, d1_admin):
    login(client, d1_admin)
    viewer = Role.objects.get(code=VIEWER).pk
    response = client.post(
        reverse("orgtree_roleassignment:add"),
        {
            "username": "khong.ton.tai",
            "role": viewer,
            "org": tree["c11"].pk,
            "valid_from": "2026-01-01",
        },
    )
    assert "Không tìm thấy tài khoản" in response.content.decode()
    existing = UserFactory(username="da.co")
    grant(existing, VIEWER, tree["c11"])
    response = client.post(
        reverse("orgtree_roleassignment:add"),
        {"username": "da.co", "role": viewer, "org": tree["c11"].pk, "valid_from": "2026-01-01"},
    )
    assert "đã có vai trò" in response.content.decode()
    response = client.post(
        reverse("orgtree_roleassignment:add"),
        {
            "username": "da.co",
            "role": viewer,
            "org": tree["c12"].pk,
            "valid_from": "2026-03-01",
            "valid_until": "2026-02-01",
        },
    )
    assert "Ngày hết hiệu lực phải sau ngày bắt đầu." in response.content.decode()
    assert RoleAssignment.objects.filter(user=existing).count() == 1


def test_nobody_hands_out_more_than_they_hold(client, tree):
    # Whatever the enabled plugins bundle into "viewer", plus the right to grant.
    viewer_caps = Role.objects.get(code=VIEWER).capabilities
    organiser = Role.objects.create(
        code="to_chuc_test",
        name="Ban Tổ chức (thử)",
        capabilities=sorted({*viewer_caps, "orgtree.assign_roles"}),
    )
    user = UserFactory()
    RoleAssignment.objects.create(user=user, role=organiser, org=tree["d1"])
    scope.forget(user)
    full_admin, viewer, updater = (
        Role.objects.get(code=c) for c in (FULL_ADMIN, VIEWER, MEMBER_UPDATER)
    )
    grantable = set(grantable_roles(user))
    assert full_admin not in grantable and updater not in grantable and viewer in grantable
    assert may_grant(user, viewer, tree["c11"]) and not may_grant(user, viewer, tree["c21"])
    assert not may_grant(user, full_admin, tree["c11"])

    UserFactory(username="nguoi.nhan")
    login(client, user)
    response = client.post(
        reverse("orgtree_roleassignment:add"),
        {
            "username": "nguoi.nhan",
            "role": full_admin.pk,
            "org": tree["c11"].pk,
            "valid_from": "2026-01-01",
        },
    )
    assert response.status_code == 200 and "role" in response.context["form"].errors
    assert not RoleAssignment.objects.filter(user__username="nguoi.nhan").exists()
    # nor extend or revoke a full admin's assignment inside their own scope
    boss = grant(UserFactory(), FULL_ADMIN, tree["c11"])
    assert denied(client.post(reverse("orgtree_roleassignment:delete", args=[boss.pk])))
    assert RoleAssignment.objects.filter(pk=boss.pk).exists()


def test_revoke_in_scope(client, tree, d1_admin):
    assignment = grant(UserFactory(), VIEWER, tree["c12"])
    login(client, d1_admin)
    assert (
        client.post(reverse("orgtree_roleassignment:delete", args=[assignment.pk])).status_code
        == 302
    )
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()


# --- the policy itself ---------------------------------------------------------------------


def test_policy_answers_from_the_scope_engine(tree, d1_admin):
    policy = policy_for(Organisation)
    assert policy.user_has_permission(d1_admin, "move")
    assert policy.user_has_permission_for_instance(d1_admin, "move", tree["c11"])
    assert not policy.user_has_permission_for_instance(d1_admin, "move", tree["c21"])
    assert not policy.user_has_permission(d1_admin, "delete")
    assert set(policy.instances_user_has_permission_for(d1_admin, "change")) == {
        tree[n] for n in ("d1", "b1", "c11", "c12")
    }
    assert d1_admin in policy.users_with_permission_for_instance("change", tree["c11"])
    assert d1_admin not in policy.users_with_permission_for_instance("change", tree["c21"])
    superuser = UserFactory(is_superuser=True)
    assert not policy.user_has_permission(superuser, "delete")
    assert (
        policy.instances_user_has_permission_for(superuser, "change").count()
        == Organisation.objects.count()
    )


# --- the organisation chooser ---------------------------------------------------------------


def chooser_results(client, **params):
    response = client.get(reverse("orgtree_organisation_chooser:choose_results"), params)
    assert response.status_code == 200
    return {obj.pk for obj in response.context["results"]}


def test_chooser_lists_only_units_under_the_capability(client, tree, d1_admin):
    updater = staff(MEMBER_UPDATER, tree["d2"])
    login(client, updater)
    assert chooser_results(client, capability="members.change_member") == ids(
        tree, "d2", "b2", "c21", "c22"
    )
    assert chooser_results(client, capability="members.change_member", kind="cell") == ids(
        tree, "c21", "c22"
    )
    assert chooser_results(client, capability="orgtree.manage_tree") == set()
    assert chooser_results(client, q="2.1") == ids(tree, "c21")  # by name, default view_org
    login(client, d1_admin)
    assert chooser_results(client, capability="orgtree.manage_tree", kind="base,cell") == ids(
        tree, "b1", "c11", "c12"
    )


def test_chooser_refuses_to_choose_outside_scope(client, tree, d1_admin):
    login(client, d1_admin)
    inside = client.get(
        reverse("orgtree_organisation_chooser:chosen", args=[tree["c11"].pk]),
        {"capability": "orgtree.manage_tree"},
    )
    assert inside.status_code == 200
    assert inside.json()["result"]["id"] == str(tree["c11"].pk)
    assert inside.json()["result"]["title"] == f"{tree['c11'].code} — {tree['c11'].name}"
    outside = client.get(
        reverse("orgtree_organisation_chooser:chosen", args=[tree["c21"].pk]),
        {"capability": "orgtree.manage_tree"},
    )
    assert outside.status_code == 404


def test_forms_render_the_scoped_chooser(client, tree, d1_admin):
    login(client, d1_admin)
    content = client.get(
        reverse("orgtree_organisation:move", args=[tree["c11"].pk])
    ).content.decode()
    assert (
        reverse("orgtree_organisation_chooser:choose") + "?capability=orgtree.manage_tree"
        in content
    )
    assert "chooser-widget" in content  # the widget's script is on the page
