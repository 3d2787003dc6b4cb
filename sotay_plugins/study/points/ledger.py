"""Writing the ledger: an event applied under its rule (``award``), a committee's adjustment
(``adjust``), and the refusals of what does not hold.

``award`` is what the ``points_earned`` receiver calls. It refuses (``PointsRefused``, with a
Vietnamese message and a ``code``) an unknown rule, a sender that tries to name the points
itself (a forged or negative event: points come only from the rule), a member that does not
exist, a malformed source or item, a moment that is not an aware datetime or lies in the future.

Exactly once and within the caps, under retries and concurrency: the same (rule, member, source)
has one line (a unique constraint, checked first); the caps per day and per item are read and
the line written while holding a lock on (member, rule) — a PostgreSQL advisory transaction
lock, so two events of the same member under the same rule are applied one after the other and
together never exceed a cap (SQLite serialises writers itself). A cap that leaves less than the
rule's points gives what is left; one that leaves nothing writes no line (``capped``).
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sotay_plugins import jobs
from sotay_plugins.members.models import Member
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.models import Organisation
from sotay_plugins.registry import registry

from . import rules
from .models import ADJUST_POINTS, ADJUSTMENT, PointLine

log = logging.getLogger(__name__)

#: "<app_label>.<model>:<pk>"
SOURCE_RE = re.compile(r"^[a-z][a-z0-9_]{0,40}\.[a-z][a-z0-9_]{0,40}:[A-Za-z0-9_-]{1,36}$")
#: How far ahead of our clock an event may be dated.
CLOCK_SKEW = timedelta(minutes=5)
#: The largest adjustment, either way, a committee may enter at once.
MAX_ADJUSTMENT = 1000
#: Kept in the shared cache after an event was applied (or refused as a duplicate), so that a
#: member opening the same document again costs no query.
SEEN_TTL = 6 * 60 * 60


class PointsRefused(ValidationError):
    """An event or an adjustment the ledger refuses; ``code`` says why."""


@dataclass(frozen=True)
class Outcome:
    status: str  # "recorded", "duplicate", "capped", "rule_off"
    line: PointLine | None = None

    @property
    def recorded(self):
        return self.status == "recorded"


def _refuse(message, code):
    raise PointsRefused(message, code=code)


def _check_at(at):
    if at is None:
        return timezone.now()
    if not isinstance(at, datetime) or timezone.is_naive(at):
        _refuse(_("Thời điểm của sự kiện không hợp lệ."), "at")
    if at > timezone.now() + CLOCK_SKEW:
        _refuse(_("Thời điểm của sự kiện nằm trong tương lai."), "at")
    return at


def _check_source(value, code):
    if not isinstance(value, str) or not SOURCE_RE.match(value):
        _refuse(_("Nguồn của sự kiện không hợp lệ: cần dạng ứng_dụng.mô_hình:mã."), code)
    return value


def _member_row(member_id):
    if isinstance(member_id, bool) or not isinstance(member_id, int) or member_id <= 0:
        _refuse(_("Mã đảng viên không hợp lệ."), "member")
    roots = Organisation.objects.filter(tree_id=OuterRef("cell__tree_id"), parent__isnull=True)
    row = (
        Member.objects.filter(pk=member_id)
        .annotate(province_id=Subquery(roots.values("pk")[:1]))
        .values("cell_id", "province_id")
        .first()
    )
    if row is None:
        _refuse(_("Không có đảng viên này."), "member")
    return row


def _seen_key(rule, member_id, source):
    return f"points:seen:{rule}:{member_id}:{source}"


def _lock(rule, member_id):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"points:{rule}:{member_id}"],
            )


def _title(rule_key, source):
    rule = registry.point_rules.get(rule_key)
    if rule is None or rule.titles is None:
        return ""
    pk = source.rsplit(":", 1)[1]
    try:
        found = rule.titles([pk])
    except Exception:  # a module's title lookup failing must not lose the points
        log.exception("points: titles of %s failed", rule_key)
        return ""
    title = found.get(pk)
    if title is None and pk.isdigit():
        title = found.get(int(pk))
    return str(title or "")[:255]


def award(rule, member_id, source, at=None, item=None, **extra):
    """Apply one event under its rule. Returns an :class:`Outcome`; raises ``PointsRefused``."""
    if extra:
        _refuse(_("Sự kiện tính điểm bị từ chối: điểm chỉ do quy tắc quyết định."), "forged")
    if not isinstance(rule, str) or rule not in registry.point_rules:
        _refuse(_("Quy tắc tính điểm không tồn tại."), "rule")
    _check_source(source, "source")
    item = _check_source(item, "item") if item is not None else source
    at = _check_at(at)
    if cache.get(_seen_key(rule, member_id, source)):
        return Outcome("duplicate")
    row = _member_row(member_id)
    effective = rules.effective(rule, row["province_id"])
    if not effective.active:
        return Outcome("rule_off")
    day = timezone.localdate(at)
    with transaction.atomic():
        _lock(rule, member_id)
        sums = PointLine.objects.filter(member_id=member_id, rule=rule).aggregate(
            seen=Count("pk", filter=Q(source=source)),
            today=Sum("points", filter=Q(day=day)),
            item=Sum("points", filter=Q(item=item)),
        )
        if sums["seen"]:
            outcome = Outcome("duplicate")
        else:
            points = effective.points
            if effective.cap_per_day is not None:
                points = min(points, effective.cap_per_day - (sums["today"] or 0))
            if effective.cap_per_item is not None:
                points = min(points, effective.cap_per_item - (sums["item"] or 0))
            if points <= 0:
                outcome = Outcome("capped")
            else:
                try:
                    with transaction.atomic():
                        line = PointLine.objects.create(
                            rule=rule,
                            member_id=member_id,
                            cell_id=row["cell_id"],
                            issuer_org_id=row["cell_id"],
                            points=points,
                            rule_points=effective.points,
                            source=source,
                            item=item,
                            title=_title(rule, source),
                            at=at,
                            day=day,
                        )
                except IntegrityError:  # the same event, written by a racing writer
                    outcome = Outcome("duplicate")
                else:
                    outcome = Outcome("recorded", line)
                    transaction.on_commit(lambda: request_refresh(row["province_id"]))
    if outcome.status in ("duplicate", "recorded"):
        transaction.on_commit(lambda: cache.set(_seen_key(rule, member_id, source), 1, SEEN_TTL))
    return outcome


def on_points_earned(sender, rule=None, member_id=None, source=None, at=None, **kwargs):
    """The ``points_earned`` receiver: apply the event; a refused one is logged, never raised
    into the module that sent it (its own work, a check-in or a page, must not fail for it)."""
    kwargs.pop("signal", None)
    try:
        return award(rule, member_id, source, at, **kwargs)
    except PointsRefused as exc:
        log.warning(
            "points: refused %s for member %s from %s (%s): %s",
            rule,
            member_id,
            source,
            exc.code,
            exc.messages[0],
        )
        return None


# --- adjustments ---------------------------------------------------------------------------


def adjustable_members(user):
    """Members a user may adjust: those in cells under units where they hold the right."""
    if scope.is_superadmin(user):
        return Member.objects.all()
    ranges = scope.managed_ranges(user, ADJUST_POINTS)
    return Member.objects.filter(scope.within(ranges, "cell")) if ranges else Member.objects.none()


def _committee(user, cell):
    """The unit whose right the user exercises at ``cell``: the nearest one above it."""
    held = [g for g in scope.grants(user) if g.allows(ADJUST_POINTS) and g.covers(cell)]
    if held:
        return max(held, key=lambda g: g.lft).org_id
    root = Organisation.objects.filter(tree_id=cell.tree_id, parent__isnull=True).first()
    return root.pk if root else cell.pk


def adjust(user, member, points, reason, *, at=None):
    """A committee's manual adjustment: a ledger line of ``points`` (may be negative) with a
    reason, entered by ``user``, who must hold ``study.adjust_points`` over the member's cell."""
    cell = member.cell
    if not scope.can(user, ADJUST_POINTS, cell):
        _refuse(_("Đồng chí không có quyền điều chỉnh điểm của đảng viên này."), "forbidden")
    if isinstance(points, bool) or not isinstance(points, int):
        _refuse(_("Số điểm phải là số nguyên."), "points")
    if points == 0 or abs(points) > MAX_ADJUSTMENT:
        _refuse(
            _("Số điểm điều chỉnh phải khác 0 và không quá %(max)s điểm mỗi lần.")
            % {"max": MAX_ADJUSTMENT},
            "points",
        )
    reason = " ".join(str(reason or "").split())
    if not reason:
        _refuse(_("Điều chỉnh điểm phải ghi lý do."), "reason")
    if len(reason) > 255:
        _refuse(_("Lý do dài quá 255 ký tự."), "reason")
    at = _check_at(at)
    line = PointLine.objects.create(
        rule=ADJUSTMENT,
        member=member,
        cell=cell,
        issuer_org_id=_committee(user, cell),
        points=points,
        rule_points=points,
        source=f"study.adjustment:{uuid.uuid4().hex}",
        item="",
        at=at,
        day=timezone.localdate(at),
        reason=reason,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    province = Organisation.objects.filter(tree_id=cell.tree_id, parent__isnull=True).first()
    if province is not None:
        transaction.on_commit(lambda: request_refresh(province.pk))
    return line


# --- asking for a refresh of the boards ------------------------------------------------------


def refresh_interval():
    """Seconds between two refreshes of a province's boards asked for by events (0: after every
    event). A nightly ``manage.py refresh_leaderboards`` closes the day in any case."""
    return int(getattr(settings, "SOTAY_POINTS_REFRESH_SECONDS", 300))


REFRESH_JOB = "sotay_plugins.study.points.boards.refresh_job"


def request_refresh(province_id, *, force=False):
    """Ask for the province's boards to be refreshed through the outbox, at most once per
    ``refresh_interval()`` (one pending job per province at a time)."""
    if province_id is None:
        return None
    interval = refresh_interval()
    if not force and interval and not cache.add(f"points:refresh:{province_id}", 1, interval):
        return None
    try:
        with transaction.atomic():
            return jobs.enqueue(
                REFRESH_JOB,
                dedupe_key=f"points.refresh:{province_id}",
                province_id=province_id,
            )
    except IntegrityError:  # one is already waiting: it will see these events
        return None
