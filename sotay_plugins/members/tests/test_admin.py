"""Member records in the Wagtail admin: scope of listings, pages and choosers; masked CCCD;
audited views; edits, transfers, creation and activation codes through the services."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ModelLogEntry

from sotay_plugins.members import services
from sotay_plugins.members.models import ActivationCode, Member, MemberTransfer
from sotay_plugins.members.tests.helpers import edit_data
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.models import Role, RoleAssignment
from sotay_plugins.orgtree.roles import CELL_SECRETARY, MEMBER_UPDATER, VIEWER
from tests.factories import MemberFactory, UserFactory, denied, grant, listed, login, staff

INDEX = "members_member:index"


def logs(member, action):
    return ModelLogEntry.objects.filter(object_id=str(member.pk), action=action)


@pytest.fixture
def people(tree):
    return {
        "a": MemberFactory(cell=tree["c11"], full_name="Trần Thị Lan"),
        "b": MemberFactory(cell=tree["c12"], full_name="Lê Văn Bình", positions={"bi_thu_chi_bo"}),
        "c": MemberFactory(cell=tree["c21"], full_name="Phạm Văn Cường"),
        "d": MemberFactory(cell=tree["c22"], full_name="Đỗ Thị Dung", group="retired"),
    }


@pytest.fixture
def updater(tree):
    return staff(MEMBER_UPDATER, tree["d1"])


# --- listing -------------------------------------------------------------------------------


def test_updater_lists_only_their_district(client, tree, people, updater):
    login(client, updater)
    assert listed(client.get(reverse(INDEX))) == {people["a"].pk, people["b"].pk}


def test_unit_filter_takes_a_subtree_and_never_leaks(client, tree, people, updater):
    login(client, updater)
    assert listed(client.get(reverse(INDEX), {"unit": tree["c12"].pk})) == {people["b"].pk}
    assert listed(client.get(reverse(INDEX), {"unit": tree["b1"].pk})) == {
        people["a"].pk,
        people["b"].pk,
    }
    # a unit outside scope is not a valid choice: the filter is ignored, scope still holds
    assert listed(client.get(reverse(INDEX), {"unit": tree["d2"].pk})) == {
        people["a"].pk,
        people["b"].pk,
    }
    choices = client.get(reverse(INDEX)).context["filters"].form.fields["unit"].queryset
    assert {o.pk for o in choices} == {tree[n].pk for n in ("d1", "b1", "c11", "c12")}


def test_filters_position_group_and_search(client, tree, people):
    login(client, staff(VIEWER, tree["province"]))
    assert listed(client.get(reverse(INDEX), {"positions": ["bi_thu_chi_bo", "chi_uy_vien"]})) == {
        people["b"].pk
    }
    assert listed(client.get(reverse(INDEX), {"group": "retired"})) == {people["d"].pk}
    assert listed(client.get(reverse(INDEX), {"q": "Cường"})) == {people["c"].pk}
    assert listed(client.get(reverse(INDEX), {"q": people["a"].party_record_no})) == {
        people["a"].pk
    }
    assert listed(client.get(reverse(INDEX), {"status": "deceased"})) == set()


def test_viewer_sees_masked_cccd_and_updater_sees_it_whole(client, tree, people, updater):
    a = people["a"]
    content = login(client, staff(VIEWER, tree["province"])).get(reverse(INDEX)).content.decode()
    assert a.cccd not in content and a.cccd_masked in content
    content = login(client, updater).get(reverse(INDEX)).content.decode()
    assert a.cccd in content


def test_listing_offers_no_export_side_door(client, tree, people, updater):
    response = login(client, updater).get(reverse(INDEX), {"export": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert people["c"].full_name not in response.content.decode()


def test_listing_query_count_does_not_grow_with_rows(client, tree, updater):
    for _ in range(3):
        MemberFactory(cell=tree["c11"])
    login(client, updater)
    client.get(reverse(INDEX))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(INDEX))
    for _ in range(12):
        MemberFactory(cell=tree["c12"], positions={"chi_uy_vien"})
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse(INDEX))
    assert len(response.context["object_list"]) == 15
    assert len(many) == len(few)


def test_listing_stays_within_a_query_budget(client, tree, updater, django_assert_max_num_queries):
    for _ in range(20):
        MemberFactory(cell=tree["c11"])
    login(client, updater)
    client.get(reverse(INDEX))
    with django_assert_max_num_queries(25):
        client.get(reverse(INDEX))


# --- pages of one member -------------------------------------------------------------------


def test_out_of_district_member_pages_are_not_found(client, tree, people, updater):
    c = people["c"]
    login(client, updater)
    for name in ("edit", "inspect", "history", "transfer", "issue_activation"):
        assert client.get(reverse(f"members_member:{name}", args=[c.pk])).status_code == 404, name
    response = client.post(
        reverse("members_member:edit", args=[c.pk]), edit_data(c, full_name="Bị sửa")
    )
    assert response.status_code == 404
    assert (
        client.post(
            reverse("members_member:transfer", args=[c.pk]),
            {"to_cell": tree["c11"].pk, "kind": "official", "on": "2026-01-02"},
        ).status_code
        == 404
    )
    c.refresh_from_db()
    assert (c.full_name, c.cell_id) == ("Phạm Văn Cường", tree["c21"].pk)
    assert not logs(c, "sotay_members.view_personal").exists()


def test_member_who_is_staff_elsewhere_cannot_edit_own_record(client, tree):
    me = MemberFactory(cell=tree["c21"])
    grant(me.user, MEMBER_UPDATER, tree["d1"])
    login(client, me.user)
    assert client.get(reverse("members_member:edit", args=[me.pk])).status_code == 404
    client.post(
        reverse("members_member:edit", args=[me.pk]), edit_data(me, positions=["bi_thu_chi_bo"])
    )
    me.refresh_from_db()
    assert me.positions == frozenset()
    assert not RoleAssignment.objects.filter(user=me.user, role__code=CELL_SECRETARY).exists()


def test_opening_the_edit_page_is_audited_with_personal_data(client, tree, people, updater):
    a = people["a"]
    response = login(client, updater).get(reverse("members_member:edit", args=[a.pk]))
    assert response.status_code == 200
    assert "cccd" in response.context["form"].fields
    assert logs(a, "sotay_members.view_personal").filter(user=updater).count() == 1


def test_viewer_inspects_masked_and_cannot_edit(client, tree, people):
    viewer = staff(VIEWER, tree["province"])
    a = people["a"]
    login(client, viewer)
    assert denied(client.get(reverse("members_member:edit", args=[a.pk])))
    response = client.get(reverse("members_member:inspect", args=[a.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert a.cccd_masked in content and a.cccd not in content
    assert a.birth_date.strftime("%d/%m/%Y") not in content
    assert logs(a, "sotay_members.view").filter(user=viewer).count() == 1
    assert not logs(a, "sotay_members.view_personal").exists()
    response = client.post(
        reverse("members_member:edit", args=[a.pk]), edit_data(a, full_name="Sửa trộm")
    )
    assert denied(response)
    a.refresh_from_db()
    assert a.full_name == "Trần Thị Lan"


def test_edit_goes_through_update_member_and_logs_the_fields(client, tree, people, updater):
    a = people["a"]
    login(client, updater)
    response = client.post(
        reverse("members_member:edit", args=[a.pk]),
        edit_data(a, full_name="Trần Thị Lan Anh", phone="0912345678"),
    )
    assert response.status_code == 302, (
        response.context["form"].errors if response.context else response
    )
    a.refresh_from_db()
    assert (a.full_name, a.phone) == ("Trần Thị Lan Anh", "0912345678")
    entry = logs(a, "wagtail.edit").get()
    assert sorted(entry.data["fields"]) == ["full_name", "phone"]
    assert entry.user_id == updater.pk


def test_edit_with_bad_cccd_explains_and_changes_nothing(client, tree, people, updater):
    a = people["a"]
    login(client, updater)
    response = client.post(
        reverse("members_member:edit", args=[a.pk]), edit_data(a, cccd="12345", full_name="Đổi tên")
    )
    assert response.status_code == 200
    assert "Số CCCD phải gồm đúng 12 chữ số" in response.content.decode()
    response = client.post(
        reverse("members_member:edit", args=[a.pk]), edit_data(a, cccd=people["b"].cccd)
    )
    assert response.status_code == 200
    fresh = Member.objects.get(pk=a.pk)
    assert (fresh.cccd, fresh.full_name) == (a.cccd, a.full_name)
    assert not logs(a, "wagtail.edit").exists()


def test_without_view_personal_the_personal_fields_are_neither_shown_nor_changed(
    client, tree, people
):
    clerk_role = Role.objects.create(
        code="cap_nhat_han_che",
        name="Cập nhật (hạn chế)",
        capabilities=["admin.access", "members.view_member", "members.change_member"],
    )
    clerk = UserFactory()
    RoleAssignment.objects.create(user=clerk, role=clerk_role, org=tree["d1"])
    scope.forget(clerk)
    a = people["a"]
    login(client, clerk)
    response = client.get(reverse("members_member:edit", args=[a.pk]))
    form = response.context["form"]
    assert not {"cccd", "birth_date", "home_town", "permanent_address", "phone"} & set(form.fields)
    assert a.cccd not in response.content.decode()
    assert logs(a, "sotay_members.view").filter(user=clerk).exists()
    response = client.post(
        reverse("members_member:edit", args=[a.pk]),
        edit_data(a, full_name="Trần Lan", cccd="034170000999", phone="0900000000"),
    )
    assert response.status_code == 302
    fresh = Member.objects.get(pk=a.pk)
    assert (fresh.full_name, fresh.cccd, fresh.phone) == ("Trần Lan", a.cccd, "")


# --- transfer ------------------------------------------------------------------------------


def test_transfer_target_cells_are_the_managed_ones(client, tree, people, updater):
    login(client, updater)
    form = client.get(reverse("members_member:transfer", args=[people["a"].pk])).context["form"]
    assert {o.pk for o in form.fields["to_cell"].queryset} == {tree["c12"].pk}


def test_transfer_outside_scope_or_bad_dates_changes_nothing(client, tree, people, updater):
    a = people["a"]
    login(client, updater)
    url = reverse("members_member:transfer", args=[a.pk])
    response = client.post(url, {"to_cell": tree["c21"].pk, "kind": "official", "on": "2026-01-02"})
    assert response.status_code == 200 and "to_cell" in response.context["form"].errors
    response = client.post(
        url, {"to_cell": tree["c12"].pk, "kind": "temporary", "on": "2026-01-02"}
    )
    assert "Chuyển sinh hoạt tạm thời cần có ngày kết thúc." in response.content.decode()
    response = client.post(
        url,
        {"to_cell": tree["c12"].pk, "kind": "temporary", "on": "2026-03-02", "until": "2026-01-01"},
    )
    assert "Ngày kết thúc phải sau ngày chuyển." in response.content.decode()
    a.refresh_from_db()
    assert a.cell_id == tree["c11"].pk
    assert not MemberTransfer.objects.filter(member=a).exists()


def test_transfer_through_the_service(client, tree, people, updater):
    a = people["a"]
    old_no = a.party_record_no
    login(client, updater)
    response = client.post(
        reverse("members_member:transfer", args=[a.pk]),
        {"to_cell": tree["c12"].pk, "kind": "official", "on": "2026-01-02", "note": "GGT số 5"},
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.cell_id == tree["c12"].pk and a.party_record_no != old_no
    transfer = MemberTransfer.objects.get(member=a)
    assert (transfer.from_cell_id, transfer.actor_id, transfer.note) == (
        tree["c11"].pk,
        updater.pk,
        "GGT số 5",
    )


# --- creation ------------------------------------------------------------------------------


def new_member_data(cell, **changes):
    from sotay_plugins.members.cccd import make_cccd

    data = {
        "cell": cell.pk,
        "full_name": "Vũ Văn Mới",
        "gender": "male",
        "birth_date": "1985-04-03",
        "cccd": make_cccd("034", date(1985, 4, 3), "male", 4242),
        "membership": "official",
        "group": "official",
        "joined_on": "2010-01-01",
        "official_on": "2011-01-01",
        "status": "active",
        "has_smartphone": "on",
    }
    data.update(changes)
    return data


def test_create_member_only_in_a_managed_cell(client, tree, updater):
    login(client, updater)
    form = client.get(reverse("members_member:add")).context["form"]
    assert {o.pk for o in form.fields["cell"].queryset} == {tree["c11"].pk, tree["c12"].pk}
    response = client.post(reverse("members_member:add"), new_member_data(tree["c21"]))
    assert response.status_code == 200 and "cell" in response.context["form"].errors
    assert not Member.objects.filter(full_name="Vũ Văn Mới").exists()


def test_create_member_through_the_service(client, tree, updater):
    login(client, updater)
    response = client.post(reverse("members_member:add"), new_member_data(tree["c11"]))
    assert response.status_code == 302
    member = Member.objects.get(full_name="Vũ Văn Mới")
    assert (
        member.party_record_no and member.user.username == member.cccd and not member.user.is_active
    )
    assert logs(member, "sotay_members.create").filter(user=updater).exists()


def test_create_member_bad_input(client, tree, updater):
    login(client, updater)
    response = client.post(
        reverse("members_member:add"),
        new_member_data(tree["c11"], birth_date="1990-04-03", official_on="2009-01-01"),
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ngày chính thức phải sau ngày vào Đảng." in content
    assert not Member.objects.filter(full_name="Vũ Văn Mới").exists()


# --- activation codes ----------------------------------------------------------------------


def never_activated(member):
    """The factory's accounts are active with a password; an imported one is neither."""
    member.user.set_unusable_password()
    member.user.is_active = False
    member.user.save()


def test_activation_slip_for_a_secretary_of_the_cell(client, tree, people):
    secretary = staff(CELL_SECRETARY, tree["c11"])
    a = people["a"]
    never_activated(a)
    login(client, secretary)
    assert client.get(reverse("members_member:issue_activation", args=[a.pk])).status_code == 200
    assert not ActivationCode.objects.filter(member=a).exists()  # opening the page issues nothing
    response = client.post(reverse("members_member:issue_activation", args=[a.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert (
        "Phiếu kích hoạt tài khoản" in content
        and a.full_name in content
        and tree["c11"].name in content
    )
    assert a.cccd not in content and a.cccd_masked in content
    assert ActivationCode.objects.filter(member=a, issued_by=secretary).count() == 1
    code = response.context["code"]
    user = services.activate_account(a.cccd, code, "Mk-rat-manh-2026")
    assert user.pk == a.user_id and user.is_active
    # a cell's secretary issues nothing to the next cell's members
    assert (
        client.post(reverse("members_member:issue_activation", args=[people["b"].pk])).status_code
        == 404
    )
    assert not ActivationCode.objects.filter(member=people["b"]).exists()


def test_viewer_cannot_issue_activation_codes(client, tree, people):
    login(client, staff(VIEWER, tree["province"]))
    assert (
        client.post(reverse("members_member:issue_activation", args=[people["a"].pk])).status_code
        == 404
    )
    assert not ActivationCode.objects.exists()


def test_no_one_deletes_a_member(client, tree, people):
    login(client, UserFactory(is_superuser=True))
    url = reverse("members_member:delete", args=[people["a"].pk])
    assert denied(client.post(url)) or client.post(url).status_code == 404
    assert Member.objects.filter(pk=people["a"].pk).exists()


def test_a_long_unit_list_offers_committees_and_the_chosen_cell(
    client, tree, people, updater, monkeypatch
):
    from sotay_plugins.members.admin.filters import UnitChoiceField

    monkeypatch.setattr(UnitChoiceField, "LIST_CELLS_UP_TO", 2)
    login(client, updater)
    page = client.get(reverse(INDEX)).content.decode()
    assert f'value="{tree["b1"].pk}"' in page and f'value="{tree["c11"].pk}"' not in page
    chosen = client.get(reverse(INDEX), {"unit": tree["c11"].pk})
    assert f'value="{tree["c11"].pk}" selected' in chosen.content.decode()
    assert set(Member.objects.filter(pk__in=listed(chosen)).values_list("cell_id", flat=True)) == {
        tree["c11"].pk
    }


def test_the_tree_browser_links_each_unit_to_its_members(client, tree, updater):
    login(client, updater)
    page = client.get(reverse("orgtree_organisation:index")).content.decode()
    assert f"{reverse(INDEX)}?unit={tree['c11'].pk}" in page
