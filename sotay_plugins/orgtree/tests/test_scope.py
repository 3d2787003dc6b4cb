"""The scope engine against a brute-force reference on random trees.

The reference below is written independently of ``scope.py``: it keeps its own copy of the
tree as parent pointers (updated by hand when a unit moves), walks them to find ancestors and
never looks at lft/rght, tree_id or any helper of the engine.
"""

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from sotay_plugins.members.models import Member, MemberStatus
from sotay_plugins.orgtree import scope, services
from sotay_plugins.orgtree.choices import KIND_RANK, MemberGroup, OrgKind, Position
from sotay_plugins.orgtree.models import Organisation, Role, RoleAssignment
from sotay_plugins.orgtree.roles import VIEWER
from tests.factories import MemberFactory, UserFactory, grant, org
from tests.scopeapp.models import VIEW_ITEM, ScopedItem

User = get_user_model()

#: Capabilities the random roles bundle; "*" is the full-admin wildcard.
CAPS = [
    VIEW_ITEM,
    "members.view_member",
    "orgtree.view_org",
    "orgtree.assign_roles",
    "other.cap",
    scope.ALL,
]
#: Capabilities the checks ask about (the wildcard is held, never asked).
ASKED = CAPS[:-1]
#: A member sees things as a member only in these states (not transferred, deceased, removed).
LIVE_STATUSES = {MemberStatus.ACTIVE, MemberStatus.EXEMPT}

_names = itertools.count(1)


# --- the reference ---------------------------------------------------------------------------


@dataclass
class RefOrg:
    parent: int | None
    kind: str
    active: bool = True


@dataclass
class RefUser:
    active: bool
    superuser: bool


@dataclass
class RefAssignment:
    user: int
    caps: frozenset
    org: int
    valid_from: object
    valid_until: object


@dataclass
class RefMember:
    user: int
    cell: int
    status: str
    positions: frozenset
    group: str


@dataclass
class RefItem:
    issuer: int
    audience: int
    positions: frozenset
    groups: frozenset


class Reference:
    def __init__(self):
        self.orgs: dict[int, RefOrg] = {}
        self.users: dict[int, RefUser] = {}
        self.assignments: dict[int, RefAssignment] = {}
        self.members: dict[int, RefMember] = {}
        self.items: dict[int, RefItem] = {}

    def ancestors(self, org_id):
        """The unit and every unit above it, by walking parent pointers."""
        seen = []
        while org_id is not None:
            assert org_id not in seen, "cycle in the reference tree"
            seen.append(org_id)
            org_id = self.orgs[org_id].parent
        return seen

    def subtree(self, org_id):
        return {o for o in self.orgs if org_id in self.ancestors(o)}

    def active_assignments(self, user_id):
        user = self.users.get(user_id)
        if user is None or not user.active:
            return []
        today = timezone.localdate()
        return [
            a
            for a in self.assignments.values()
            if a.user == user_id
            and a.valid_from <= today
            and (a.valid_until is None or a.valid_until >= today)
            and self.orgs[a.org].active
        ]

    def holds(self, user_id, cap, org_id):
        """Does the user hold ``cap`` at ``org_id`` or above?"""
        above = set(self.ancestors(org_id))
        return any(
            (cap in a.caps or scope.ALL in a.caps) and a.org in above
            for a in self.active_assignments(user_id)
        )

    def holds_anywhere(self, user_id, cap):
        return any(cap in a.caps or scope.ALL in a.caps for a in self.active_assignments(user_id))

    def is_super(self, user_id):
        user = self.users.get(user_id)
        return bool(user and user.active and user.superuser)

    def member_of(self, user_id):
        user = self.users.get(user_id)
        if user is None or not user.active:
            return None
        for member_id, m in self.members.items():
            if m.user == user_id and m.status in LIVE_STATUSES:
                return member_id, m
        return None

    # what each kind of object shows to a user
    def items_for(self, user_id):
        if self.is_super(user_id):
            return set(self.items)
        me = self.member_of(user_id)
        seen = set()
        for item_id, item in self.items.items():
            if self.holds(user_id, VIEW_ITEM, item.issuer):
                seen.add(item_id)
            elif me is not None:
                m = me[1]
                if (
                    item.audience in self.ancestors(m.cell)
                    and (not item.positions or item.positions & m.positions)
                    and (not item.groups or m.group in item.groups)
                ):
                    seen.add(item_id)
        return seen

    def members_for(self, user_id):
        if self.is_super(user_id):
            return set(self.members)
        me = self.member_of(user_id)
        seen = {
            mid
            for mid, m in self.members.items()
            if self.holds(user_id, "members.view_member", m.cell)
        }
        if me is not None:
            seen.add(me[0])
        return seen

    def orgs_for(self, user_id, cap="orgtree.view_org"):
        if self.is_super(user_id):
            return set(self.orgs)
        me = self.member_of(user_id)
        seen = {o for o in self.orgs if self.holds(user_id, cap, o)}
        if me is not None:
            seen |= set(self.ancestors(me[1].cell))
        return seen

    def assignments_for(self, user_id):
        if self.is_super(user_id):
            return set(self.assignments)
        return {
            aid
            for aid, a in self.assignments.items()
            if self.holds(user_id, "orgtree.assign_roles", a.org)
        }

    def managed(self, user_id, cap):
        if self.is_super(user_id):
            return set(self.orgs)
        return {o for o in self.orgs if self.holds(user_id, cap, o)}

    def can(self, user_id, cap, org_id=None):
        if self.is_super(user_id):
            return True
        if org_id is None:
            return self.holds_anywhere(user_id, cap)
        return self.holds(user_id, cap, org_id)


# --- random worlds -----------------------------------------------------------------------------

DAY = timedelta(days=1)


def kinds_below(kind):
    return [k for k in OrgKind if KIND_RANK[k] > KIND_RANK[OrgKind(kind)]]


def build_world(data):
    """Create a random world in the database and the same world in a Reference."""
    # Every example starts from an empty tree: nothing leaks from the one before.
    assert (
        not Organisation.objects.exists()
        and not ScopedItem.objects.exists()
        and not Member.objects.exists()
    )
    ref = Reference()
    today = timezone.localdate()

    # Several provinces (several tree_ids), each grown at random under the rank rule.
    for _ in range(data.draw(st.integers(1, 3), label="provinces")):
        province = org(OrgKind.PROVINCE)
        ref.orgs[province.pk] = RefOrg(None, OrgKind.PROVINCE)
    for _ in range(data.draw(st.integers(0, 16), label="units")):
        parents = sorted(o for o, r in ref.orgs.items() if r.kind != OrgKind.CELL)
        parent_id = data.draw(st.sampled_from(parents), label="parent")
        kind = data.draw(st.sampled_from(kinds_below(ref.orgs[parent_id].kind)), label="kind")
        unit = org(kind, Organisation.objects.get(pk=parent_id))
        ref.orgs[unit.pk] = RefOrg(parent_id, kind)

    # Restructuring: random valid moves (the engine must follow the tree as it is now).
    for _ in range(data.draw(st.integers(0, 3), label="moves")):
        movable = sorted(o for o, r in ref.orgs.items() if r.parent is not None)
        if not movable:
            break
        moving = data.draw(st.sampled_from(movable), label="moving")
        inside = ref.subtree(moving)
        rank = KIND_RANK[OrgKind(ref.orgs[moving].kind)]
        targets = sorted(
            o
            for o, r in ref.orgs.items()
            if o not in inside and r.kind != OrgKind.CELL and KIND_RANK[OrgKind(r.kind)] < rank
        )
        if not targets:
            continue
        target = data.draw(st.sampled_from(targets), label="target")
        services.move_org(moving, target)
        ref.orgs[moving].parent = target

    # Some units closed (dissolved or merged away): rights held there lapse.
    closed = data.draw(st.sets(st.sampled_from(sorted(ref.orgs)), max_size=3), label="closed")
    Organisation.objects.filter(pk__in=closed).update(is_active=False)
    for o in closed:
        ref.orgs[o].active = False

    # Members at active cells, in every status and group, with any positions.
    cells = sorted(o for o, r in ref.orgs.items() if r.kind == OrgKind.CELL and r.active)
    for _ in range(data.draw(st.integers(0, 8) if cells else st.just(0), label="members")):
        member = MemberFactory(
            cell_id=data.draw(st.sampled_from(cells), label="cell"),
            status=data.draw(st.sampled_from(MemberStatus.values), label="status"),
            positions=data.draw(
                st.frozensets(st.sampled_from(Position.values), max_size=3), label="positions"
            ),
            group=data.draw(st.sampled_from(MemberGroup.values), label="group"),
        )
        user_active = data.draw(st.booleans() | st.just(True), label="member user active")
        if not user_active:
            User.objects.filter(pk=member.user_id).update(is_active=False)
        ref.users[member.user_id] = RefUser(user_active, False)
        ref.members[member.pk] = RefMember(
            member.user_id, member.cell_id, member.status, frozenset(member.positions), member.group
        )

    # Staff accounts (a few inactive, a few superusers).
    for _ in range(data.draw(st.integers(0, 4), label="staff")):
        active = data.draw(st.booleans() | st.just(True), label="staff active")
        superuser = data.draw(st.sampled_from([False, False, False, True]), label="superuser")
        user = User.objects.create(
            username=f"scope{next(_names)}", is_active=active, is_superuser=superuser
        )
        ref.users[user.pk] = RefUser(active, superuser)

    # Roles with random capability bundles, assigned at random units, some expired or not yet valid.
    roles = {}
    for _ in range(data.draw(st.integers(1, 3), label="roles")):
        caps = data.draw(st.frozensets(st.sampled_from(CAPS), max_size=3), label="caps")
        role = Role.objects.create(
            code=f"r{next(_names)}", name="Vai trò thử", capabilities=sorted(caps)
        )
        roles[role.pk] = caps
    users = sorted(ref.users)
    taken = set()
    for _ in range(data.draw(st.integers(0, 8) if users else st.just(0), label="assignments")):
        key = (
            data.draw(st.sampled_from(users), label="holder"),
            data.draw(st.sampled_from(sorted(roles)), label="role"),
            data.draw(st.sampled_from(sorted(ref.orgs)), label="at"),
        )
        if key in taken:
            continue
        taken.add(key)
        valid_from = today + DAY * data.draw(st.sampled_from([-400, -1, 0, 0, 3]), label="from")
        until = data.draw(st.sampled_from([None, None, -30, -1, 0, 1, 365]), label="until")
        valid_until = None if until is None else today + DAY * until
        assignment = RoleAssignment.objects.create(
            user_id=key[0],
            role_id=key[1],
            org_id=key[2],
            valid_from=valid_from,
            valid_until=valid_until,
        )
        ref.assignments[assignment.pk] = RefAssignment(
            key[0], roles[key[1]], key[2], valid_from, valid_until
        )

    # Published items: an issuer, an audience within its subtree, optional filters.
    for _ in range(data.draw(st.integers(0, 8), label="items")):
        issuer = data.draw(st.sampled_from(sorted(ref.orgs)), label="issuer")
        audience = data.draw(st.sampled_from(sorted(ref.subtree(issuer))), label="audience")
        positions = data.draw(
            st.frozensets(st.sampled_from(Position.values), max_size=2), label="item positions"
        )
        groups = data.draw(
            st.frozensets(st.sampled_from(MemberGroup.values), max_size=2), label="item groups"
        )
        item = ScopedItem.objects.create(
            title="Văn bản",
            issuer_org_id=issuer,
            audience_org_id=audience,
            audience_positions=positions,
            audience_groups=groups,
        )
        ref.items[item.pk] = RefItem(issuer, audience, positions, groups)
    return ref


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


class ScopeEngineMatchesReference(TestCase):
    """hypothesis' Django TestCase wraps every example in its own rolled-back transaction."""

    @settings(
        max_examples=100,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.data())
    def test_visible_to_can_managed_orgs(self, data):
        ref = build_world(data)

        # The database holds the tree the reference holds, and it is a valid nested set.
        assert dict(Organisation.objects.values_list("pk", "parent_id")) == {
            o: r.parent for o, r in ref.orgs.items()
        }
        assert services.check_tree() == []

        orgs = list(Organisation.objects.all())
        items = list(ScopedItem.objects.select_related("issuer_org", "audience_org"))
        members = list(Member.objects.select_related("cell"))
        for user_id in [*sorted(ref.users), None]:
            user = (
                AnonymousUser() if user_id is None else User.objects.get(pk=user_id)
            )  # nothing cached
            note = f"user {user_id}: {ref.users.get(user_id)}"

            assert ids(scope.visible_to(user, ScopedItem)) == ref.items_for(user_id), note
            assert ids(scope.visible_to(user, Member)) == ref.members_for(user_id), note
            assert ids(scope.visible_to(user, Organisation)) == ref.orgs_for(user_id), note
            assert ids(scope.visible_to(user, RoleAssignment.objects.all())) == ref.assignments_for(
                user_id
            ), note
            # The Python form, object by object, says the same.
            seen = ref.items_for(user_id)
            assert {i.pk for i in items if scope.sees(user, i)} == seen, note
            assert {m.pk for m in members if scope.sees(user, m)} == ref.members_for(user_id), note
            assert {o.pk for o in orgs if scope.sees(user, o)} == ref.orgs_for(user_id), note
            # An explicit capability replaces the model's own.
            assert ids(
                scope.visible_to(user, Organisation, capability="other.cap")
            ) == ref.orgs_for(user_id, "other.cap"), note

            for cap in ASKED:
                assert ids(scope.managed_orgs(user, cap)) == ref.managed(user_id, cap), (note, cap)
                assert scope.can(user, cap) == ref.can(user_id, cap), (note, cap)
                for unit in orgs:
                    assert scope.can(user, cap, unit) == ref.can(user_id, cap, unit.pk), (
                        note,
                        cap,
                        unit.pk,
                    )
                for item in items:
                    assert scope.can(user, cap, item) == ref.can(
                        user_id, cap, item.issuer_org_id
                    ), (note, cap, item.pk)
                for member in members:
                    assert scope.can(user, cap, member) == ref.can(user_id, cap, member.cell_id), (
                        note,
                        cap,
                        member.pk,
                    )


# --- plain cases --------------------------------------------------------------------------------


def fresh(user):
    """The same account as a new request would load it: nothing cached on the object."""
    return User.objects.get(pk=user.pk)


def item(issuer, audience=None, positions=(), groups=()):
    return ScopedItem.objects.create(
        title="Thông báo",
        issuer_org=issuer,
        audience_org=audience or issuer,
        audience_positions=set(positions),
        audience_groups=set(groups),
    )


@pytest.fixture
def items(tree):
    return {
        "province": item(tree["province"]),
        "d1": item(tree["d1"]),
        "d2": item(tree["d2"]),
        "c11": item(tree["b1"], tree["c11"]),
        "c21": item(tree["b2"], tree["c21"]),
    }


def test_member_query_budget(tree, items, django_assert_num_queries):
    member = MemberFactory(cell=tree["c11"])
    user = fresh(member.user)
    # Fresh user: their grants (1) and their member subject (the record; on PostgreSQL also the
    # ids of the cell's ancestors that the audience test names), then the items themselves (1).
    subject = 2 if connection.vendor == "postgresql" else 1
    with django_assert_num_queries(2 + subject):
        seen = {i.pk for i in scope.visible_to(user, ScopedItem)}
    assert seen == {items["province"].pk, items["d1"].pk, items["c11"].pk}
    # Within the same request both are kept on the user: one query per listing.
    with django_assert_num_queries(1):
        assert len(scope.visible_to(user, ScopedItem)) == 3
    with django_assert_num_queries(0):
        scope.visible_to(user, ScopedItem)  # lazy: building the queryset costs nothing
    # The next request (a new user object): grants and the member's subject come from the
    # shared cache, so a listing is its own query.
    next_request = fresh(member.user)
    with django_assert_num_queries(1):
        assert len(scope.visible_to(next_request, ScopedItem)) == 3
    # The member's record changes: their subject is read again.
    member.positions = {"bi_thu_chi_bo"}
    member.save()
    after_change = fresh(member.user)
    with django_assert_num_queries(1 + subject):
        assert len(scope.visible_to(after_change, ScopedItem)) == 3


def test_cached_grants_follow_role_changes(tree, items):
    from tests.factories import grant

    member = MemberFactory(cell=tree["c21"])
    viewer = fresh(member.user)
    assert ids(scope.visible_to(viewer, Organisation)) == {
        tree["province"].pk,
        tree["d2"].pk,
        tree["b2"].pk,
        tree["c21"].pk,
    }
    assignment = grant(member.user, "viewer", tree["d1"])
    assert tree["c12"].pk in ids(scope.visible_to(fresh(member.user), Organisation))
    assignment.delete()
    assert tree["c12"].pk not in ids(scope.visible_to(fresh(member.user), Organisation))


def test_a_members_kept_rights_come_with_their_subject(tree, items, monkeypatch):
    """The subject resolver fetches the member's kept rights in its own round trip (under the
    grants stamp it read first): ``grants`` then asks the cache nothing and gives what it would
    have read; a role change still reaches the next request."""
    from sotay_plugins import versions
    from tests.factories import grant

    member = MemberFactory(cell=tree["c21"])
    assignment = grant(member.user, "viewer", tree["d1"])
    first = fresh(member.user)
    expected = scope.grants(first)
    scope.subject(first)  # both kept in the shared cache now
    user = fresh(member.user)
    scope.subject(user)
    assert scope.has_grants(user)
    with monkeypatch.context() as patched:
        patched.setattr(scope, "cache", None)  # any use of the cache raises
        patched.setattr(versions, "current", None)
        assert scope.grants(user) == expected
    assignment.delete()
    user = fresh(member.user)
    scope.subject(user)
    assert scope.grants(user) == []
    assert tree["c12"].pk not in ids(scope.visible_to(user, Organisation))


def test_no_grant_no_member_sees_nothing(tree, items):
    nobody = UserFactory()
    assert ScopedItem.objects.count() == 5
    assert list(scope.visible_to(fresh(nobody), ScopedItem)) == []
    assert list(scope.visible_to(fresh(nobody), Organisation)) == []
    assert list(scope.managed_orgs(fresh(nobody), VIEW_ITEM)) == []
    assert not scope.can(fresh(nobody), VIEW_ITEM)
    assert not scope.can(fresh(nobody), VIEW_ITEM, tree["c11"])


def test_superuser_sees_all_anonymous_nothing(tree, items):
    boss = UserFactory(is_superuser=True)
    assert ids(scope.visible_to(fresh(boss), ScopedItem)) == {i.pk for i in items.values()}
    assert ids(scope.managed_orgs(fresh(boss), "anything")) == {o.pk for o in tree.values()}
    assert scope.can(fresh(boss), "anything", tree["c22"])
    anonymous = AnonymousUser()
    assert list(scope.visible_to(anonymous, ScopedItem)) == []
    assert list(scope.visible_to(anonymous, Member)) == []
    assert not scope.can(anonymous, VIEW_ITEM)
    assert list(scope.managed_orgs(anonymous, VIEW_ITEM)) == []
    # An inactive superuser is nobody.
    boss.is_active = False
    boss.save()
    assert list(scope.visible_to(fresh(boss), ScopedItem)) == []
    assert not scope.can(fresh(boss), VIEW_ITEM, tree["c22"])


def test_grant_at_district_covers_its_subtree_not_its_sibling(tree, items):
    staff = UserFactory()
    role = Role.objects.create(code="item_viewer", name="Xem mục", capabilities=[VIEW_ITEM])
    RoleAssignment.objects.create(user=staff, role=role, org=tree["d1"])
    user = fresh(staff)
    assert ids(scope.visible_to(user, ScopedItem)) == {items["d1"].pk, items["c11"].pk}
    assert ids(scope.managed_orgs(user, VIEW_ITEM)) == {
        tree[k].pk for k in ("d1", "b1", "c11", "c12")
    }
    assert scope.can(user, VIEW_ITEM, tree["c12"])
    assert scope.can(user, VIEW_ITEM, items["c11"])
    assert not scope.can(user, VIEW_ITEM, tree["d2"])
    assert not scope.can(user, VIEW_ITEM, tree["province"])
    assert not scope.can(user, VIEW_ITEM, items["province"])
    assert not scope.can(user, "members.view_member", tree["c11"])

    # The built-in viewer role at d1 shows d1's members, not d2's.
    a, b = MemberFactory(cell=tree["c12"]), MemberFactory(cell=tree["c21"])
    grant(staff, VIEWER, tree["d1"])
    user = fresh(staff)
    assert ids(scope.visible_to(user, Member)) == {a.pk}
    assert scope.can(user, "members.view_member", a) and not scope.can(
        user, "members.view_member", b
    )


def test_one_users_keys_for_two_capabilities_are_equal_when_their_filters_are(tree, items):
    """``viewer_key`` leaves the capability out: ``visible_to`` reads it only through the units
    where the user holds it, which are in the key. A member holds neither capability: one key,
    one filter (the database search filters such kinds together). Staff holding one of them at
    d1: two keys, and two filters."""
    other = "scopeapp.other_capability"
    member = fresh(MemberFactory(cell=tree["c11"]).user)
    assert scope.viewer_key(member, ScopedItem, VIEW_ITEM) == scope.viewer_key(
        member, ScopedItem, other
    )
    assert str(scope.visible_to(member, ScopedItem, VIEW_ITEM).query) == str(
        scope.visible_to(member, ScopedItem, other).query
    )
    staff = UserFactory()
    role = Role.objects.create(code="item_viewer", name="Xem mục", capabilities=[VIEW_ITEM])
    RoleAssignment.objects.create(user=staff, role=role, org=tree["d1"])
    MemberFactory(user=staff, cell=tree["c21"])  # and a member in d2
    staff = fresh(staff)
    assert scope.viewer_key(staff, ScopedItem, VIEW_ITEM) != scope.viewer_key(
        staff, ScopedItem, other
    )
    as_member = {items[k].pk for k in ("province", "d2", "c21")}
    assert ids(scope.visible_to(staff, ScopedItem, other)) == as_member
    assert ids(scope.visible_to(staff, ScopedItem, VIEW_ITEM)) == as_member | {
        items["d1"].pk,
        items["c11"].pk,
    }


def test_expired_or_closed_grants_lapse(tree, items):
    staff = UserFactory()
    role = Role.objects.create(code="item_viewer", name="Xem mục", capabilities=[VIEW_ITEM])
    today = timezone.localdate()
    assignment = RoleAssignment.objects.create(
        user=staff, role=role, org=tree["d1"], valid_until=today
    )
    assert scope.can(fresh(staff), VIEW_ITEM, tree["c11"])  # valid through its last day

    def raw_update(model, pk, **fields):
        # .update() sends no signal: writers that use it must invalidate cached rights themselves.
        model.objects.filter(pk=pk).update(**fields)
        scope.grants_changed()

    raw_update(RoleAssignment, assignment.pk, valid_until=today - DAY)
    assert not scope.can(fresh(staff), VIEW_ITEM, tree["c11"])
    assert list(scope.visible_to(fresh(staff), ScopedItem)) == []
    raw_update(RoleAssignment, assignment.pk, valid_until=None, valid_from=today + DAY)
    assert not scope.can(fresh(staff), VIEW_ITEM)
    raw_update(RoleAssignment, assignment.pk, valid_from=today)
    assert scope.can(fresh(staff), VIEW_ITEM)
    raw_update(Organisation, tree["d1"].pk, is_active=False)
    assert not scope.can(fresh(staff), VIEW_ITEM)


def test_position_and_group_filters_narrow(tree):
    province = tree["province"]
    secretary = MemberFactory(
        cell=tree["c11"], positions={Position.BI_THU_CHI_BO}, group=MemberGroup.OFFICIAL
    )
    plain = MemberFactory(cell=tree["c21"], positions=set(), group=MemberGroup.HAMLET)
    both = MemberFactory(
        cell=tree["c22"],
        positions={Position.CHI_UY_VIEN, Position.DANG_VIEN},
        group=MemberGroup.HAMLET,
    )
    everyone = item(province)
    secretaries = item(province, positions=[Position.BI_THU_CHI_BO, Position.PHO_BI_THU_CHI_BO])
    committee = item(province, positions=[Position.CHI_UY_VIEN])
    hamlets = item(province, groups=[MemberGroup.HAMLET, MemberGroup.RETIRED])
    hamlet_committee = item(province, positions=[Position.CHI_UY_VIEN], groups=[MemberGroup.HAMLET])
    hamlet_secretaries = item(
        province, positions=[Position.BI_THU_CHI_BO], groups=[MemberGroup.HAMLET]
    )

    def seen(member):
        return ids(scope.visible_to(fresh(member.user), ScopedItem))

    assert seen(secretary) == {everyone.pk, secretaries.pk}
    assert seen(plain) == {everyone.pk, hamlets.pk}
    assert seen(both) == {everyone.pk, committee.pk, hamlets.pk, hamlet_committee.pk}
    assert hamlet_secretaries.pk not in seen(secretary) | seen(plain) | seen(both)


def test_members_who_left_see_nothing(tree, items):
    for status in (MemberStatus.TRANSFERRED, MemberStatus.DECEASED, MemberStatus.REMOVED):
        member = MemberFactory(cell=tree["c11"], status=status)
        assert list(scope.visible_to(fresh(member.user), ScopedItem)) == [], status
        assert list(scope.visible_to(fresh(member.user), Member)) == [], status
        assert list(scope.visible_to(fresh(member.user), Organisation)) == [], status
    exempt = MemberFactory(cell=tree["c11"], status=MemberStatus.EXEMPT)
    assert ids(scope.visible_to(fresh(exempt.user), Member)) == {exempt.pk}
    assert ids(scope.visible_to(fresh(exempt.user), Organisation)) == {
        tree[k].pk for k in ("province", "d1", "b1", "c11")
    }


def test_engine_follows_a_move(tree, items):
    """After a cell moves to another district its members see that district's items."""
    member = MemberFactory(cell=tree["c11"])
    assert items["d1"].pk in ids(scope.visible_to(fresh(member.user), ScopedItem))
    services.move_org(tree["c11"], tree["b2"])
    seen = ids(scope.visible_to(fresh(member.user), ScopedItem))
    assert items["d2"].pk in seen and items["d1"].pk not in seen
    assert items["c11"].pk in seen  # an item for the cell itself follows the cell


def test_model_without_scope_spec_is_refused(tree):
    with pytest.raises(TypeError):
        scope.visible_to(UserFactory(), User)


def test_grants_in_two_provinces_both_count(tree):
    """Ranges of different trees never swallow each other, however their numbers compare."""
    other = org(OrgKind.PROVINCE, name="Tỉnh B")
    other_district = org(OrgKind.DISTRICT, other)
    other_cell = org(OrgKind.CELL, org(OrgKind.BASE, other_district))
    staff = UserFactory()
    role = Role.objects.create(code="item_viewer", name="Xem mục", capabilities=[VIEW_ITEM])
    RoleAssignment.objects.create(user=staff, role=role, org=tree["province"])  # lft 1 … rght 18
    RoleAssignment.objects.create(
        user=staff, role=role, org=other_cell
    )  # lft 4, rght 5 in its own tree
    user = fresh(staff)
    assert ids(scope.managed_orgs(user, VIEW_ITEM)) == {o.pk for o in tree.values()} | {
        other_cell.pk
    }
    assert scope.can(user, VIEW_ITEM, other_cell)
    assert not scope.can(user, VIEW_ITEM, other_district)
    mine = item(other_cell)
    assert mine.pk in ids(scope.visible_to(user, ScopedItem))


def test_can_does_not_trust_a_stale_instance(tree):
    """``tree`` holds instances loaded before later inserts shifted them: can() must look again."""
    staff = UserFactory()
    grant(staff, VIEWER, tree["d1"])
    user = fresh(staff)
    stale_d2 = tree["d2"]  # created before d1's subtree was: its lft/rght now name d1's cells
    assert Organisation.objects.get(pk=stale_d2.pk).lft != stale_d2.lft
    assert not scope.can(user, "members.view_member", stale_d2)
    assert not scope.can(user, "members.view_member", tree["c21"])
    assert scope.can(user, "members.view_member", tree["c12"])


def test_cached_grants_follow_a_move_in_the_same_process(tree):
    staff = UserFactory()
    grant(staff, VIEWER, tree["d1"])
    user = fresh(staff)
    c21 = Organisation.objects.get(pk=tree["c21"].pk)
    assert not scope.can(user, "members.view_member", c21)  # grants now cached on the user
    member = MemberFactory(cell=c21)
    assert member.pk not in ids(scope.visible_to(user, Member))
    # b2 and its cells land past d1's old rght: the cached range would not reach them.
    services.move_org(tree["b2"], tree["d1"])
    assert scope.can(user, "members.view_member", Organisation.objects.get(pk=c21.pk))
    assert member.pk in ids(scope.visible_to(user, Member))
    # …and a member's cached subject follows their cell's move too.
    reader = fresh(member.user)
    d2_item, d1_item = item(tree["d2"]), item(tree["d1"])
    assert ids(scope.visible_to(reader, ScopedItem)) == {d1_item.pk}
    services.move_org(tree["b2"], tree["d2"])
    assert ids(scope.visible_to(reader, ScopedItem)) == {d2_item.pk}


def test_within_and_containing_match_the_tree(tree):
    """The public subtree helpers agree with django-mptt's own descendants and ancestors."""
    from sotay_plugins.members.models import Member
    from sotay_plugins.orgtree import scope
    from sotay_plugins.orgtree.models import Organisation
    from tests.factories import MemberFactory

    for unit in Organisation.objects.all():
        below = set(Organisation.objects.filter(scope.within(unit)).values_list("pk", flat=True))
        assert below == set(unit.get_descendants(include_self=True).values_list("pk", flat=True))
        above = set(
            Organisation.objects.filter(scope.containing(unit)).values_list("pk", flat=True)
        )
        assert above == set(unit.get_ancestors(include_self=True).values_list("pk", flat=True))
    inside, outside = MemberFactory(cell=tree["c11"]), MemberFactory(cell=tree["c12"])
    found = set(
        Member.objects.filter(scope.within([tree["c11"]], "cell")).values_list("pk", flat=True)
    )
    assert inside.pk in found and outside.pk not in found
    both = Member.objects.filter(scope.within([tree["c11"], tree["c12"]], "cell"))
    assert {inside.pk, outside.pk} <= set(both.values_list("pk", flat=True))
