"""Restructuring the organisation tree: create, move, merge, dissolve, and the tree's integrity."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.utils import timezone

from sotay_plugins.members.models import Member, MemberStatus, MemberTransfer
from sotay_plugins.members.services import record_prefix
from sotay_plugins.orgtree import services
from sotay_plugins.orgtree.choices import OrgKind
from sotay_plugins.orgtree.models import AdvisoryBody, Organisation, OrgEvent, Role, RoleAssignment
from sotay_plugins.orgtree.roles import CELL_SECRETARY, VIEWER
from tests.factories import MemberFactory, UserFactory, grant, org

pytestmark = pytest.mark.django_db

CYCLE = "Không thể chuyển một tổ chức vào chính nó hoặc vào đơn vị trực thuộc nó."


def snapshot():
    """Every unit's place in the tree, as stored."""
    return sorted(
        Organisation.objects.values_list("pk", "parent_id", "tree_id", "lft", "rght", "level")
    )


def reload(unit):
    return Organisation.objects.get(pk=unit.pk)


def messages(exc_info):
    return " ".join(exc_info.value.messages)


# --- create --------------------------------------------------------------------------------------


def test_create_org_records_the_event_and_keeps_codes_ordered(tree):
    b1 = tree["b1"]
    new = services.create_org(
        parent=b1, name="Chi bộ Ấp 3", code=f"{b1.code}.000", kind=OrgKind.CELL
    )
    assert new.parent_id == b1.pk and new.tree_id == reload(b1).tree_id
    assert OrgEvent.objects.get(org=new).kind == OrgEvent.Kind.CREATED
    # order_insertion_by code: the new cell is b1's first child.
    assert [c.pk for c in reload(b1).get_children()][0] == new.pk
    assert services.check_tree() == []


@pytest.mark.parametrize(
    ("parent_key", "kind", "code_suffix", "field", "message"),
    [
        (
            None,
            OrgKind.DISTRICT,
            None,
            "parent",
            "Chỉ đảng bộ tỉnh, thành phố mới không có cấp trên.",
        ),
        ("c11", OrgKind.CELL, ".9", "parent", "Chi bộ không có tổ chức trực thuộc."),
        (
            "b1",
            OrgKind.DISTRICT,
            ".9",
            "kind",
            "Loại tổ chức phải thấp hơn cấp trên (Tổ chức cơ sở đảng).",
        ),
        (
            "b1",
            OrgKind.BASE,
            ".9",
            "kind",
            "Loại tổ chức phải thấp hơn cấp trên (Tổ chức cơ sở đảng).",
        ),
        ("b1", OrgKind.CELL, "X", "code", "Mã phải bắt đầu bằng mã cấp trên"),
    ],
)
def test_create_org_refuses_what_clean_forbids(tree, parent_key, kind, code_suffix, field, message):
    parent = tree[parent_key] if parent_key else None
    code = f"{parent.code}{code_suffix}" if parent else "Q99"
    before = snapshot()
    with pytest.raises(ValidationError) as exc_info:
        services.create_org(parent=parent, name="Đơn vị mới", code=code, kind=kind)
    assert message in " ".join(exc_info.value.message_dict[field])
    assert snapshot() == before
    assert not Organisation.objects.filter(code=code).exists()


def test_clean_code_prefix_is_a_whole_segment(tree):
    """ "P1.0021" does not start with the code of "P1.002" followed by a dot."""
    d1 = tree["d1"]
    unit = Organisation(parent=d1, kind=OrgKind.BASE, name="Xã", code=f"{d1.code}1")
    with pytest.raises(ValidationError) as exc_info:
        unit.full_clean()
    assert "code" in exc_info.value.message_dict
    unit.code = f"{d1.code}.1"
    unit.full_clean()


def test_clean_refuses_own_parent(tree):
    d1 = reload(tree["d1"])
    d1.parent = d1
    with pytest.raises(ValidationError) as exc_info:
        d1.clean()
    assert (
        "Một tổ chức không thể là cấp trên của chính nó." in exc_info.value.message_dict["parent"]
    )


def test_create_under_a_closed_unit_is_refused(tree):
    services.merge_orgs(tree["b1"], tree["b2"])
    with pytest.raises(ValidationError) as exc_info:
        services.create_org(
            parent=tree["b1"], name="Chi bộ mới", code=f"{tree['b1'].code}.9", kind=OrgKind.CELL
        )
    assert exc_info.value.message_dict["parent"] == ["Tổ chức cấp trên Xã 1 không còn hoạt động."]
    assert services.check_tree() == []


def test_a_province_without_parent_is_fine_and_gets_its_own_tree(tree):
    other = services.create_org(parent=None, name="Tỉnh B", code="B", kind=OrgKind.PROVINCE)
    assert other.parent_id is None and other.tree_id != reload(tree["province"]).tree_id
    assert services.check_tree() == []


# --- move ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("into", ["d1", "b1", "c11"])
def test_move_into_itself_or_a_descendant_is_refused(tree, into):
    before = snapshot()
    events = OrgEvent.objects.count()
    with pytest.raises(ValidationError) as exc_info:
        services.move_org(tree["d1"], tree[into])
    assert messages(exc_info) == CYCLE
    assert snapshot() == before
    assert services.check_tree() == []
    assert OrgEvent.objects.count() == events


@pytest.mark.parametrize(
    ("moving", "into", "message"),
    [
        ("c11", "c21", "Chi bộ không có tổ chức trực thuộc."),
        (
            "d1",
            "b2",
            "Không thể đặt Huyện 1 (Cấp huyện và tương đương) dưới Xã 2 (Tổ chức cơ sở đảng).",
        ),
        ("b1", "b2", "Không thể đặt Xã 1 (Tổ chức cơ sở đảng) dưới Xã 2 (Tổ chức cơ sở đảng)."),
    ],
)
def test_move_against_the_rank_rule_is_refused(tree, moving, into, message):
    before = snapshot()
    with pytest.raises(ValidationError) as exc_info:
        services.move_org(tree[moving], tree[into])
    assert messages(exc_info) == message
    assert snapshot() == before


def test_move_under_an_inactive_unit_is_refused(tree):
    Organisation.objects.filter(pk=tree["b2"].pk).update(is_active=False)
    with pytest.raises(ValidationError) as exc_info:
        services.move_org(tree["c11"], tree["b2"])
    assert messages(exc_info) == "Tổ chức cấp trên Xã 2 không còn hoạt động."


def test_move_keeps_identity_and_history(tree):
    member = MemberFactory(cell=tree["c11"])
    actor = UserFactory()
    moved = services.move_org(tree["c11"], tree["b2"], actor=actor, note="Sắp xếp lại")
    assert moved.pk == tree["c11"].pk and moved.parent_id == tree["b2"].pk
    assert reload(tree["b2"]).lft < moved.lft < moved.rght < reload(tree["b2"]).rght
    event = OrgEvent.objects.get(org=moved, kind=OrgEvent.Kind.MOVED)
    assert (event.old_parent_id, event.new_parent_id, event.actor_id, event.note) == (
        tree["b1"].pk,
        tree["b2"].pk,
        actor.pk,
        "Sắp xếp lại",
    )
    assert Member.objects.get(pk=member.pk).cell_id == moved.pk
    assert services.check_tree() == []


def test_move_a_subtree_to_another_province(tree):
    other = org(OrgKind.PROVINCE, name="Tỉnh B")
    services.move_org(tree["d1"], other)
    subtree = ("d1", "b1", "c11", "c12")
    assert {reload(tree[k]).tree_id for k in subtree} == {reload(other).tree_id}
    assert reload(tree["d2"]).tree_id == reload(tree["province"]).tree_id
    assert services.check_tree() == []
    # …and a district may be skipped: a base straight under a province.
    services.move_org(tree["b2"], tree["province"])
    assert reload(tree["b2"]).level == 1
    assert services.check_tree() == []


# --- merge ---------------------------------------------------------------------------------------


def test_merge_two_cells_moves_members_roles_and_keeps_history(tree):
    source = services.create_org(
        parent=tree["b1"], name="Chi bộ 1.3", code=f"{tree['b1'].code}.013", kind=OrgKind.CELL
    )
    target = tree["c21"]
    staying = MemberFactory(cell=target)
    movers = [MemberFactory(cell=source), MemberFactory(cell=source, status=MemberStatus.EXEMPT)]
    gone = MemberFactory(cell=source, status=MemberStatus.TRANSFERRED)
    old_numbers = {m.pk: m.party_record_no for m in movers}
    viewer = UserFactory()
    both = UserFactory()
    grant(viewer, VIEWER, source)
    grant(both, VIEWER, source)
    grant(both, VIEWER, target)  # already held at the target: the duplicate goes
    body = AdvisoryBody.objects.create(org=source, kind="van_phong", name="Văn phòng")
    actor = UserFactory()

    result = services.merge_orgs(source, target, actor=actor, note="Sáp nhập theo Nghị quyết")

    assert result.pk == target.pk
    source = reload(source)
    assert not source.is_active and source.merged_into_id == target.pk
    assert source.dissolved_on == timezone.localdate()
    for member in movers:
        member.refresh_from_db()
        assert member.cell_id == target.pk
        transfer = MemberTransfer.objects.get(member=member)
        assert transfer.kind == MemberTransfer.Kind.MERGE
        assert (transfer.from_cell_id, transfer.to_cell_id, transfer.actor_id) == (
            source.pk,
            target.pk,
            actor.pk,
        )
        assert transfer.old_record_no == old_numbers[member.pk]
        assert transfer.new_record_no == member.party_record_no != old_numbers[member.pk]
        assert member.party_record_no.startswith(record_prefix(reload(target)))
    assert len({m.party_record_no for m in Member.objects.all()}) == Member.objects.count()
    gone.refresh_from_db()
    assert gone.cell_id == source.pk and not MemberTransfer.objects.filter(member=gone).exists()
    staying.refresh_from_db()
    assert staying.cell_id == target.pk

    assert RoleAssignment.objects.get(user=viewer).org_id == target.pk
    assert list(RoleAssignment.objects.filter(user=both).values_list("org_id", flat=True)) == [
        target.pk
    ]
    assert not RoleAssignment.objects.filter(org=source).exists()
    assert AdvisoryBody.objects.get(pk=body.pk).org_id == target.pk

    merged = OrgEvent.objects.get(org=source, kind=OrgEvent.Kind.MERGED)
    assert (merged.target_id, merged.actor_id, merged.note) == (
        target.pk,
        actor.pk,
        "Sáp nhập theo Nghị quyết",
    )
    assert OrgEvent.objects.filter(
        org=source, kind=OrgEvent.Kind.CREATED
    ).exists()  # its history is kept
    assert services.check_tree() == []


def test_merge_cells_carries_the_secretary_role(tree):
    role = Role.objects.get(code=CELL_SECRETARY)
    secretary = MemberFactory(cell=tree["c11"], positions={"bi_thu_chi_bo"})
    RoleAssignment.objects.create(user=secretary.user, role=role, org=tree["c11"])
    services.merge_orgs(tree["c11"], tree["c12"])
    assert list(
        RoleAssignment.objects.filter(user=secretary.user).values_list("org_id", flat=True)
    ) == [tree["c12"].pk]


def test_merge_two_bases_moves_their_cells(tree):
    source, target = tree["b1"], tree["b2"]
    services.merge_orgs(source, target)
    for key in ("c11", "c12"):
        assert reload(tree[key]).parent_id == target.pk
        event = OrgEvent.objects.get(org=tree[key], kind=OrgEvent.Kind.MOVED)
        assert (event.old_parent_id, event.new_parent_id) == (source.pk, target.pk)
    assert reload(target).get_descendant_count() == 4
    assert reload(source).get_descendant_count() == 0 and not reload(source).is_active
    assert services.check_tree() == []


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        ("c11", "c11", "Không thể sáp nhập một tổ chức vào chính nó."),
        ("d1", "c11", "Không thể sáp nhập một tổ chức vào đơn vị trực thuộc nó."),
        ("c11", "b2", "Chỉ sáp nhập được hai tổ chức cùng loại."),
    ],
)
def test_merge_refusals(tree, source, target, message):
    MemberFactory(cell=tree["c11"])
    before = snapshot()
    with pytest.raises(ValidationError) as exc_info:
        services.merge_orgs(tree[source], tree[target])
    assert messages(exc_info) == message
    assert snapshot() == before
    assert reload(tree[source]).is_active


def test_merge_into_a_closed_unit_is_refused(tree):
    Organisation.objects.filter(pk=tree["c12"].pk).update(is_active=False)
    with pytest.raises(ValidationError) as exc_info:
        services.merge_orgs(tree["c11"], tree["c12"])
    assert messages(exc_info) == "Cả hai tổ chức phải đang hoạt động."


# --- dissolve ------------------------------------------------------------------------------------


def test_dissolve_is_blocked_by_members_and_by_sub_units(tree):
    MemberFactory(cell=tree["c11"])
    with pytest.raises(ValidationError) as exc_info:
        services.dissolve_org(tree["c11"])
    assert exc_info.value.messages == ["Còn 1 đảng viên đang sinh hoạt tại đơn vị."]
    with pytest.raises(ValidationError) as exc_info:
        services.dissolve_org(tree["b1"])
    assert exc_info.value.messages == ["Còn 2 tổ chức trực thuộc đang hoạt động."]
    assert reload(tree["c11"]).is_active and reload(tree["b1"]).is_active
    assert not OrgEvent.objects.filter(kind=OrgEvent.Kind.DISSOLVED).exists()


def test_dissolve_an_empty_unit(tree):
    MemberFactory(cell=tree["c12"], status=MemberStatus.DECEASED)  # history does not block
    staff = UserFactory()
    assignment = grant(staff, VIEWER, tree["c12"])
    actor = UserFactory()
    dissolved = services.dissolve_org(tree["c12"], actor=actor, note="Không còn đảng viên")
    assert not dissolved.is_active and dissolved.dissolved_on == timezone.localdate()
    assignment.refresh_from_db()
    assert assignment.valid_until == timezone.localdate()
    event = OrgEvent.objects.get(org=dissolved, kind=OrgEvent.Kind.DISSOLVED)
    assert (event.actor_id, event.note) == (actor.pk, "Không còn đảng viên")
    # Its parent may then go too once its other cell has gone: closed sub-units do not count.
    services.dissolve_org(tree["c11"])
    assert not services.dissolve_org(tree["b1"]).is_active
    assert services.check_tree() == []


# --- integrity ----------------------------------------------------------------------------------


def test_saving_a_stale_instance_keeps_the_tree_valid(tree):
    stale_d1 = Organisation.objects.get(pk=tree["d1"].pk)
    stale_c22 = Organisation.objects.get(pk=tree["c22"].pk)
    stale_b1 = Organisation.objects.get(pk=tree["b1"].pk)
    # Inserts sorted before them shift every lft/rght the stale copies hold.
    province = tree["province"]
    org(OrgKind.DISTRICT, province, code=f"{province.code}.000")
    org(OrgKind.BASE, reload(tree["d1"]), code=f"{tree['d1'].code}.000")
    assert reload(tree["d1"]).lft != stale_d1.lft

    stale_d1.name = "Huyện 1 (đổi tên)"
    stale_d1.save()
    assert services.check_tree() == []
    stale_c22.parent = stale_b1  # a move through save(), with a stale parent too
    stale_c22.save()
    assert services.check_tree() == []
    assert reload(tree["c22"]).parent_id == tree["b1"].pk
    assert reload(tree["d1"]).name == "Huyện 1 (đổi tên)"


def test_a_refused_delete_leaves_the_tree_as_it_was(tree):
    """mptt closes the gap before Django finds the PROTECTed rows; both must roll back together."""
    MemberFactory(cell=tree["c11"])
    before = snapshot()
    with pytest.raises(ProtectedError):
        Organisation.objects.get(pk=tree["c11"].pk).delete()  # it has a member
    with pytest.raises(ProtectedError):
        Organisation.objects.get(pk=tree["b2"].pk).delete()  # it has cells
    assert snapshot() == before
    assert services.check_tree() == []


def test_delete_of_an_empty_leaf_closes_the_gap(tree):
    new = org(OrgKind.CELL, tree["b2"])
    stale = Organisation.objects.get(pk=new.pk)
    org(OrgKind.DISTRICT, tree["province"], code=f"{tree['province'].code}.000")  # shifts it
    stale.delete()
    assert services.check_tree() == []


def test_check_tree_finds_broken_fields(tree):
    assert services.check_tree() == []
    Organisation.objects.filter(pk=tree["c12"].pk).update(rght=999)
    problems = services.check_tree()
    assert any(f"org {tree['c12'].pk}: rght 999" in p for p in problems)


def test_check_tree_finds_levels_and_stray_tree_ids(tree):
    Organisation.objects.filter(pk=tree["c21"].pk).update(level=7)
    Organisation.objects.filter(pk=tree["c22"].pk).update(
        tree_id=reload(tree["province"]).tree_id + 50
    )
    problems = services.check_tree()
    assert f"org {tree['c21'].pk}: level 7 expected 3" in problems
    assert any(p.startswith(f"org {tree['c22'].pk}: tree") for p in problems)


def test_check_tree_finds_units_cut_off_from_the_root(tree):
    """A parent cycle leaves the numbering of the rest intact: only a reachability check sees it."""
    b1, c11 = tree["b1"], tree["c11"]
    Organisation.objects.filter(pk=b1.pk).update(parent=c11)  # b1 ↔ c11: a cycle under nobody
    problems = services.check_tree()
    assert f"org {b1.pk}: in tree {reload(b1).tree_id} but not reachable from its root" in problems
    assert any(p.startswith(f"org {c11.pk}:") for p in problems)


def test_check_tree_two_roots(tree):
    Organisation.objects.filter(pk=tree["d2"].pk).update(parent=None)
    assert services.check_tree(reload(tree["province"]).tree_id)[0].endswith("2 roots")


def test_an_advisory_body_has_at_most_two_document_uploaders(tree):
    from django.core.exceptions import ValidationError

    from sotay_plugins.orgtree.models import AdvisoryBody, Role, RoleAssignment
    from tests.factories import UserFactory

    body = AdvisoryBody.objects.create(
        org=tree["d1"], kind="tuyen_giao", name="Ban Tuyên giáo Huyện ủy"
    )
    role = Role.objects.get(code="document_uploader")
    for _ in range(2):
        assignment = RoleAssignment(
            user=UserFactory(), role=role, org=tree["d1"], advisory_body=body
        )
        assignment.full_clean()
        assignment.save()
    third = RoleAssignment(user=UserFactory(), role=role, org=tree["d1"], advisory_body=body)
    with pytest.raises(ValidationError) as exc:
        third.full_clean()
    assert "tối đa 2 người" in exc.value.message_dict["user"][0]
    assert RoleAssignment.objects.filter(advisory_body=body).count() == 2
