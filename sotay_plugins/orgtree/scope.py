"""The scope engine: the one place that decides who sees and may do what.

A right is a capability held at an organisation (RoleAssignment) and reaches that
organisation's subtree. A member sees a published item iff their cell lies under the item's
audience organisation and the item's position and group filters (if any) match them.

Three calls answer every question; views, API, downloads, search, exports, statistics and
notifications all use them and none re-implements them:

    visible_to(user, Model_or_queryset)        → the queryset the user may see
    can(user, "members.change_member", obj)    → may the user do this to this object/unit?
    managed_orgs(user, "members.view_member")  → the units where the user holds a capability

A model takes part by declaring ``scope = ScopeSpec(...)``:

- ``org_field``: the path from the model to the Organisation that places an object in the
  tree (``"cell"`` for a member, ``"issuer_org"`` for a document, ``""`` for Organisation).
  Staff holding ``view_capability`` at an ancestor of that organisation see the object.
- ``audience``: True when the model has ``audience_org``, ``audience_positions`` and
  ``audience_groups``: members under the audience organisation see it (published items).
- ``member_rule``: what a member sees besides audiences: ``"self"`` (their own record, for
  the member model), ``"own_units"`` (their cell and its ancestors, for Organisation) or a
  callable ``(subject) -> Q``.

Cost: a user's grants are read once (one query) and kept on the user object for the request;
the member's subject (cell, positions, group) likewise. ``visible_to`` itself adds no query:
it returns a lazy queryset with the ranges inlined. Both are read again if this process has
written the tree since (``locks.tree_generation``): their lft/rght would be stale. For the
same reason ``can`` trusts an Organisation's tree fields only if it was loaded since the last
tree write; otherwise it reads them again (one query).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, F, Func, Q
from django.utils import timezone

from sotay_plugins import versions
from sotay_plugins.registry import registry

from .locks import tree_generation

ALL = "*"


@dataclass(frozen=True)
class ScopeSpec:
    org_field: str
    view_capability: str
    audience: bool = False
    member_rule: Any = None


@dataclass(frozen=True)
class Grant:
    capabilities: frozenset
    org_id: int
    tree_id: int
    lft: int
    rght: int
    body_id: int | None

    def allows(self, capability):
        return ALL in self.capabilities or capability in self.capabilities

    def covers(self, org):
        return org.tree_id == self.tree_id and self.lft <= org.lft and org.rght <= self.rght


@dataclass(frozen=True)
class Subject:
    """What the scope engine needs to know of a member: their place and their filters."""

    member_id: int
    cell_id: int
    tree_id: int
    lft: int
    rght: int
    positions: frozenset
    group: str
    #: The ids of the cell and of every unit above it, read once with the rest (and kept with
    #: it in the shared cache, whose key every tree write moves on). The audience test is then
    #: ``audience_org_id IN (a few literal ids)``, which PostgreSQL's planner estimates well:
    #: it combines the audience index with a full-text index instead of reading every row of
    #: the audience (bench/RESULTS.md, issue 15). Empty: the ancestors are found in SQL.
    ancestor_ids: tuple = ()


# --- who the user is ----------------------------------------------------------------------

GRANTS_VERSION_KEY = "sotay:grants:version"
GRANTS_TTL = 60 * 60


def grants_changed():
    """Invalidate every user's cached rights (a role, an assignment or the tree changed).

    Called by the RoleAssignment/Role signal handlers and at the end of every tree write; bulk
    writers that bypass signals (seed_demo, the importer) call it themselves.
    """
    versions.bump(GRANTS_VERSION_KEY)


def grants_cache_key(user, stamp, today=None):
    """Where ``grants`` keeps the user's rights in the shared cache, under the grants ``stamp``
    (``versions.current(GRANTS_VERSION_KEY)``, read before the entry) and the date."""
    return grants_cache_key_of(user.pk, stamp, today)


def grants_cache_key_of(user_id, stamp, today=None):
    """``grants_cache_key`` by the user's id (before the account is read)."""
    today = today or timezone.localdate()
    return f"sotay:grants:{user_id}:{stamp}:{today.isoformat()}"


def _grants_key(user, today):
    return grants_cache_key(user, versions.current(GRANTS_VERSION_KEY), today)


def grants(user) -> list[Grant]:
    """The user's active rights.

    Kept on the user object for the request and in the shared cache (Redis in production)
    across requests, keyed by a version that every role or tree change moves on and by the
    date (assignments start and end on dates). So a page usually pays no query for them.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if has_grants(user):
        return user._sotay_grants
    today = timezone.localdate()
    generation = tree_generation()
    key = _grants_key(user, today)
    rows = cache.get(key)
    if rows is None:
        from .models import RoleAssignment

        rows = list(
            RoleAssignment.objects.filter(user=user, valid_from__lte=today, org__is_active=True)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
            .values_list(
                "role__capabilities",
                "org_id",
                "org__tree_id",
                "org__lft",
                "org__rght",
                "advisory_body_id",
            )
        )
        cache.set(key, rows, GRANTS_TTL)
    prime_grants(user, rows, generation)
    return user._sotay_grants


def has_grants(user):
    """Whether the user's rights are already on the user object (read in this request, since
    the last tree write in this process)."""
    return (
        getattr(user, "_sotay_grants", None) is not None
        and getattr(user, "_sotay_generation", None) == tree_generation()
    )


def prime_grants(user, rows, generation):
    """Put the rights ``rows`` (as kept in the shared cache at ``grants_cache_key``, under a
    grants stamp read first) on the user, with the tree generation read before them: ``grants``
    does it after its own read, the subject resolver after fetching them in its round trip, so
    ``grants`` then makes none."""
    user._sotay_grants = [
        Grant(frozenset(caps or ()), org, tree, lft, rght, body)
        for caps, org, tree, lft, rght, body in rows
    ]
    user._sotay_generation = generation


def subject(user) -> Subject | None:
    """The user as a member (None for staff-only accounts), from the members plugin's resolver."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    generation = tree_generation()
    if (
        not hasattr(user, "_sotay_subject")
        or getattr(user, "_sotay_subject_generation", None) != generation
    ):
        resolver = registry.subject_resolver
        user._sotay_subject = resolver(user) if resolver else None
        user._sotay_subject_generation = generation
    return user._sotay_subject


def forget(user):
    """Drop the cached grants and subject (after a role or membership change)."""
    for attr in (
        "_sotay_grants",
        "_sotay_subject",
        "_sotay_generation",
        "_sotay_subject_generation",
    ):
        if hasattr(user, attr):
            delattr(user, attr)


def is_superadmin(user):
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


# --- the three questions ------------------------------------------------------------------


def managed_ranges(user, capability, *more):
    """(tree_id, lft, rght) of every unit where the user holds the capability (or any of
    ``more``), nested ones dropped. Superusers hold no ranges: callers treat them apart."""
    wanted = (capability, *more)
    ranges = sorted(
        {(g.tree_id, g.lft, g.rght) for g in grants(user) if any(g.allows(c) for c in wanted)}
    )
    merged = []
    for tree_id, lft, rght in ranges:
        if merged and merged[-1][0] == tree_id and merged[-1][1] <= lft and rght <= merged[-1][2]:
            continue
        merged.append((tree_id, lft, rght))
    return merged


class _EqualsAny(Func):
    """``<column> = ANY(<array>)``."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = BooleanField()
    conditional = True


def _range_q(prefix, ranges):
    """Objects placed (through ``prefix``, a path to an Organisation) in any of the subtrees.

    Through a foreign key on PostgreSQL the range is written
    ``fk = ANY(ARRAY(SELECT id ... range))``: the array is computed once (an InitPlan) and the
    condition stays indexable even when OR-ed with another (a secretary's "my cell's members OR my
    own record"); a plain join range under an OR made PostgreSQL scan every member (30 ms at
    province scale, bench/RESULTS.md §2).
    """
    from .models import Organisation

    q = Q(pk__in=[])
    for tree_id, lft, rght in ranges:
        if prefix and connection.vendor == "postgresql":
            from django.contrib.postgres.expressions import ArraySubquery

            # ``lft <= rght`` holds for every unit of the subtree (it is implied): written out, it
            # bounds the index range scanned; without it PostgreSQL estimated a thousand units for
            # a cell's own range and read the whole tree (0.6 ms a search, bench/RESULTS.md).
            units = (
                Organisation.objects.filter(
                    tree_id=tree_id, lft__gte=lft, lft__lte=rght, rght__lte=rght
                )
                .order_by()
                .values("pk")
            )
            q |= Q(_EqualsAny(F(prefix), ArraySubquery(units)))
        else:
            p = f"{prefix}__" if prefix else ""
            q |= Q(
                **{
                    f"{p}tree_id": tree_id,
                    f"{p}lft__gte": lft,
                    f"{p}lft__lte": rght,
                    f"{p}rght__lte": rght,
                }
            )
    return q


def _range_of(unit):
    return unit if isinstance(unit, tuple) else (unit.tree_id, unit.lft, unit.rght)


def within(units, prefix=""):
    """A ``Q`` for what lies in the subtree of any of ``units`` (itself included).

    ``units``: an Organisation, a ``(tree_id, lft, rght)`` triple, or an iterable of either.
    ``prefix``: the path from the filtered model to its Organisation (``"cell"``,
    ``"meeting__cell"``); ``""`` filters organisations themselves. This is the one way to write
    "under this unit": on PostgreSQL through a foreign key it takes the indexable
    ``fk = ANY(ARRAY(SELECT id ...))`` form (see ``_range_q``); never write
    ``tree_id/lft/rght`` filters by hand.
    """
    if isinstance(units, tuple) or hasattr(units, "tree_id"):
        units = [units]
    return _range_q(prefix, [_range_of(unit) for unit in units])


def containing(unit, prefix=""):
    """A ``Q`` for the organisations (through ``prefix``) that contain ``unit``: its ancestors and
    itself. ``unit``: an Organisation or a ``(tree_id, lft, rght)`` triple."""
    tree_id, lft, rght = _range_of(unit)
    p = f"{prefix}__" if prefix else ""
    return Q(**{f"{p}tree_id": tree_id, f"{p}lft__lte": lft, f"{p}rght__gte": rght})


def managed_orgs(user, capability):
    """The organisations (whole subtrees) where the user holds ``capability``."""
    from .models import Organisation

    if is_superadmin(user):
        return Organisation.objects.all()
    ranges = managed_ranges(user, capability)
    return (
        Organisation.objects.filter(_range_q("", ranges)) if ranges else Organisation.objects.none()
    )


def can(user, capability, target=None) -> bool:
    """May ``user`` exercise ``capability`` at ``target`` (an Organisation or a scoped object)?

    With no target: does the user hold the capability anywhere?
    """
    if is_superadmin(user):
        return True
    held = [g for g in grants(user) if g.allows(capability)]
    if target is None or not held:
        return bool(held)
    org = org_of(target)
    if org is None:
        return False
    org = _current_position(org)
    return org is not None and any(g.covers(org) for g in held)


def holds_sql(capability, *, user_sql, org_sql, today_param="today"):
    """``can(user, capability, org)`` as a SQL condition, for a statement that must decide in the
    database itself (the check-in hot path: one UPDATE whose WHERE is the whole check).

    ``user_sql`` and ``org_sql`` are SQL expressions (from the caller's own statement) for the
    user's id and the target organisation's id; ``%(<today_param>)s`` must be bound to today's
    date. True iff the user is an active superuser or holds ``capability`` (or ``*``) through a
    role assignment valid today at an active unit whose subtree holds the target — the rule
    ``grants()`` + ``Grant.allows`` + ``Grant.covers`` apply in Python (tested against ``can``).
    """
    import json

    from django.contrib.auth import get_user_model

    from .models import Organisation, Role, RoleAssignment

    q = connection.ops.quote_name
    user_model = get_user_model()

    def col(model, name):
        return q(model._meta.get_field(name).column)

    for value in (capability, ALL):
        if not all(ch.isalnum() or ch in "._*" for ch in value):
            raise ValueError(f"not a capability code: {value!r}")
    user_table, ra_table = q(user_model._meta.db_table), q(RoleAssignment._meta.db_table)
    role_table, org_table = q(Role._meta.db_table), q(Organisation._meta.db_table)
    org_pk = q(Organisation._meta.pk.column)
    return (
        f"(EXISTS (SELECT 1 FROM {user_table} su "  # noqa: S608
        f"WHERE su.{q(user_model._meta.pk.column)} = {user_sql} "
        f"AND su.{col(user_model, 'is_active')} AND su.{col(user_model, 'is_superuser')}) "
        f"OR EXISTS (SELECT 1 FROM {ra_table} ra "
        f"JOIN {role_table} r ON r.{q(Role._meta.pk.column)} = ra.{col(RoleAssignment, 'role')} "
        f"JOIN {org_table} g ON g.{org_pk} = ra.{col(RoleAssignment, 'org')} "
        f"JOIN {org_table} c ON c.{org_pk} = {org_sql} "
        f"WHERE ra.{col(RoleAssignment, 'user')} = {user_sql} "
        f"AND ra.{col(RoleAssignment, 'valid_from')} <= %({today_param})s::date "
        f"AND (ra.{col(RoleAssignment, 'valid_until')} IS NULL "
        f"OR ra.{col(RoleAssignment, 'valid_until')} >= %({today_param})s::date) "
        f"AND g.{col(Organisation, 'is_active')} "
        f"AND (r.{col(Role, 'capabilities')} @> '{json.dumps([capability])}'::jsonb "
        f"OR r.{col(Role, 'capabilities')} @> '{json.dumps([ALL])}'::jsonb) "
        f"AND c.{col(Organisation, 'tree_id')} = g.{col(Organisation, 'tree_id')} "
        f"AND g.{col(Organisation, 'lft')} <= c.{col(Organisation, 'lft')} "
        f"AND c.{col(Organisation, 'rght')} <= g.{col(Organisation, 'rght')}))"
    )


def _current_position(org):
    """``org`` itself if its tree fields are current, else them as the database has them now.

    An instance loaded before a tree write in this process (a test fixture, a long-lived
    object) may carry lft/rght that now describe another unit's place.
    """
    if getattr(org, "_tree_generation", None) == tree_generation():
        return org
    from .models import Organisation

    row = Organisation.objects.filter(pk=org.pk).values("tree_id", "lft", "rght").first()
    return _Position(**row) if row else None


@dataclass(frozen=True)
class _Position:
    tree_id: int
    lft: int
    rght: int


def org_of(obj):
    """The Organisation that places ``obj`` in the tree, following its ScopeSpec."""
    from .models import Organisation

    if isinstance(obj, Organisation):
        return obj
    spec = spec_of(type(obj))
    target = obj
    for part in spec.org_field.split("__"):
        target = getattr(target, part, None)
        if target is None:
            return None
    return target


def spec_of(model) -> ScopeSpec:
    spec = getattr(model, "scope", None)
    if not isinstance(spec, ScopeSpec):
        raise TypeError(
            f"{model.__name__} declares no ScopeSpec: the scope engine cannot filter it"
        )
    return spec


def visible_to(user, queryset, capability=None):
    """The part of ``queryset`` (or a model's default manager) that ``user`` may see.

    Staff see objects placed under a unit where they hold ``capability`` (default: the model's
    view capability); members see what their audience filters and member rule give them.
    """
    if not hasattr(queryset, "model"):
        queryset = queryset._default_manager.all()
    model = queryset.model
    spec = spec_of(model)
    if is_superadmin(user):
        return queryset
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    q = Q(pk__in=[])
    ranges = managed_ranges(user, capability or spec.view_capability)
    if ranges:
        q |= _range_q(spec.org_field, ranges)
    member = subject(user)
    if member is not None:
        q |= member_q(spec, member)
    if q == Q(pk__in=[]):
        return queryset.none()
    return queryset.filter(q)


def viewer_key(user, model, capability=None):
    """A hashable value for what ``visible_to(user, model, capability)`` reads of ``user``: two
    users with equal keys get the same filter, so a caller may keep the filter's compiled SQL
    by it (the database search does, bench/RESULTS.md issue 15) instead of building it on
    every request. Kept in step with ``visible_to``, ``member_q`` and ``audience_q``; the scope
    engine's tests compare the SQL of users with equal keys. The key moves with the grants and
    the subject, so with every role or tree change.

    The capability is not a part of the key: ``visible_to`` reads it only through the units
    where the user holds it (``managed_ranges``), which are. So one user's keys for two
    capabilities are equal when their filters are, and a caller may filter the objects of both
    together (a member, who holds neither, sees the same under every capability)."""
    spec = spec_of(model)
    if is_superadmin(user):
        return ("superadmin",)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ("nobody",)
    capability = capability or spec.view_capability
    member = subject(user)
    seen = None
    if member is not None:
        rule = spec.member_rule
        place = (member.tree_id, member.lft, member.rght)
        seen = (
            (member.ancestor_ids or place, member.positions, member.group)
            if spec.audience
            else None,
            member.member_id if rule == "self" else None,
            place if rule == "own_units" else None,
            member if callable(rule) else None,
        )
    return (
        model._meta.label,
        tuple(managed_ranges(user, capability)),
        seen,
        connection.vendor,
    )


def sees(user, obj, capability=None):
    """Whether ``user`` sees ``obj``: ``visible_to`` for one object already loaded, read from the
    object instead of asked of the database (the file download check, on every download).

    ``obj`` must come from this request with the units its rule reads (``select_related`` of
    the ``org_field`` and, for audience items, ``audience_org``): their place in the tree is
    taken as loaded. A callable member rule is asked of the database. The property test of the
    scope engine holds ``sees`` to ``visible_to`` on random worlds.
    """
    spec = spec_of(type(obj))
    if is_superadmin(user):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    org = org_of(obj)
    wanted = capability or spec.view_capability
    if org is not None and any(g.allows(wanted) and g.covers(org) for g in grants(user)):
        return True
    member = subject(user)
    if member is None:
        return False
    if spec.audience and _in_audience(member, obj):
        return True
    rule = spec.member_rule
    if rule == "self":
        return obj.pk == member.member_id
    if rule == "own_units":
        return obj.tree_id == member.tree_id and obj.lft <= member.lft and member.rght <= obj.rght
    if callable(rule):
        return visible_to(user, type(obj)._default_manager.filter(pk=obj.pk), capability).exists()
    return False


def _in_audience(member: Subject, obj):
    """``audience_q`` in Python: the audience unit holds the member's cell, and the filters
    match."""
    unit = obj.audience_org
    return (
        unit is not None
        and unit.tree_id == member.tree_id
        and unit.lft <= member.lft
        and member.rght <= unit.rght
        and (not obj.audience_positions or bool(obj.audience_positions & member.positions))
        and (not obj.audience_groups or member.group in obj.audience_groups)
    )


def member_q(spec, member: Subject):
    q = Q(pk__in=[])
    if spec.audience:
        q |= audience_q(member)
    rule = spec.member_rule
    if rule == "self":
        q |= Q(pk=member.member_id)
    elif rule == "own_units":
        q |= Q(tree_id=member.tree_id, lft__lte=member.lft, rght__gte=member.rght)
    elif callable(rule):
        q |= rule(member)
    return q


def audience_q(member: Subject, prefix=""):
    """Items whose audience organisation contains the member's cell and whose filters match.

    The audience is written ``audience_org_id IN (<the cell's ancestors>)`` with the ids the
    subject carries; without them, on PostgreSQL, ``audience_org_id = ANY(ARRAY(SELECT id ...
    the cell's ancestors))`` (an InitPlan, so the audience index is still used; a join range
    over the tree made PostgreSQL read every row of a 20,000-document library, bench/RESULTS.md,
    issue 3).
    """
    from .models import Organisation

    p = f"{prefix}__" if prefix else ""
    if member.ancestor_ids:
        where = Q(**{f"{p}audience_org__in": member.ancestor_ids})
    elif connection.vendor == "postgresql":
        from django.contrib.postgres.expressions import ArraySubquery

        units = (
            Organisation.objects.filter(
                tree_id=member.tree_id, lft__lte=member.lft, rght__gte=member.rght
            )
            .order_by()
            .values("pk")
        )
        where = Q(_EqualsAny(F(f"{p}audience_org"), ArraySubquery(units)))
    else:
        where = Q(
            **{
                f"{p}audience_org__tree_id": member.tree_id,
                f"{p}audience_org__lft__lte": member.lft,
                f"{p}audience_org__rght__gte": member.rght,
            }
        )
    return (
        where
        & (
            Q(**{f"{p}audience_positions": 0})
            | Q(**{f"{p}audience_positions__has_any": member.positions})
        )
        & (Q(**{f"{p}audience_groups": 0}) | Q(**{f"{p}audience_groups__has_any": {member.group}}))
    )
