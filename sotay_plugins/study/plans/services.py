"""Study plans, sessions and implementation plans: every write goes through here, checked by the
scope engine, refused with a Vietnamese ``ValidationError`` (nothing written) or
``PermissionDenied``.

Points for attending a session: the attendance plugin records check-ins with one SQL UPDATE
(no Django signal), so the points are sent from the roll's rows, not from the scan:
:func:`award_attendance_points` sends ``study.session_attended`` for every member checked in
(the ledger earns once per rule, member and source, so sending again is harmless). It runs when
the session is closed ("Đã học"), and ``manage.py study_award_attendance`` sends it for the
sessions of the last days (cron, every few minutes on a busy study day).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sotay_plugins import signals
from sotay_plugins.attendance.models import CHECKED_IN
from sotay_plugins.members.models import Member
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import MemberGroup, OrgKind
from sotay_plugins.orgtree.models import Organisation

from ..resolutions.models import MANAGE_STUDY, VIEW_STUDY, ResolutionPage
from .models import (
    RECORD_IMPLEMENTATION,
    ImplementationPlan,
    PlanAudiences,
    SessionAttendance,
    StudyPlan,
    StudySession,
)

RULE_ATTENDED = "study.session_attended"
#: Units that must record an implementation plan (cells too when the plan says so).
PLANNING_KINDS = (OrgKind.DISTRICT, OrgKind.BASE, OrgKind.SUB)
TEXT_LIMIT = 20000


def _inside(unit, outer):
    return unit.tree_id == outer.tree_id and outer.lft <= unit.lft and unit.rght <= outer.rght


def _fresh(*orgs):
    """The units as the database has them now (one query): an instance loaded before a tree
    write elsewhere may carry another unit's bounds."""
    found = Organisation.objects.in_bulk([o.pk for o in orgs if o is not None])
    return [found.get(o.pk) if o is not None else None for o in orgs]


def _require(user, capability, org, message):
    if not scope.can(user, capability, org):
        raise PermissionDenied(message)


def _plain(text, limit, field):
    text = (text or "").strip()
    if len(text) > limit:
        raise ValidationError({field: _("Nội dung dài quá %(n)d ký tự.") % {"n": limit}})
    return text


def _required(value, field, message):
    if value in (None, ""):
        raise ValidationError({field: message})
    return value


# --- plans ----------------------------------------------------------------------------------


def announcing_orgs(user):
    """Active units where the user may announce a plan (hold ``study.manage_study``)."""
    return scope.managed_orgs(user, MANAGE_STUDY).filter(is_active=True)


def announce_plan(
    user,
    *,
    issuer_org,
    audience_org,
    resolution,
    title,
    deadline,
    audiences=PlanAudiences.DANG_VIEN,
    description="",
    audience_positions=frozenset(),
    audience_groups=frozenset(),
    cells_plan_too=False,
):
    """A committee announces the study of ``resolution`` to the units under ``audience_org``."""
    _required(issuer_org, "issuer_org", _("Cần chọn cấp ủy ban hành kế hoạch."))
    _required(audience_org, "audience_org", _("Cần chọn đơn vị học tập."))
    _required(resolution, "resolution", _("Cần chọn nghị quyết."))
    issuer_org, audience_org, resolution_audience = _fresh(
        issuer_org, audience_org, resolution.audience_org
    )
    _require(
        user,
        MANAGE_STUDY,
        issuer_org,
        _("Bạn không có quyền ban hành kế hoạch học tập của đơn vị này."),
    )
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Cần nhập tên kế hoạch.")
    if not isinstance(deadline, date):
        errors["deadline"] = _("Cần nhập hạn hoàn thành (dd/mm/yyyy).")
    if audiences not in PlanAudiences.values:
        errors["audiences"] = _("Đối tượng học tập không hợp lệ.")
    if not _inside(audience_org, issuer_org):
        errors["audience_org"] = _("Đơn vị học tập phải là %(org)s hoặc đơn vị trực thuộc.") % {
            "org": issuer_org.name
        }
    if not resolution.live:
        errors["resolution"] = _("Nghị quyết chưa được đăng.")
    elif not _inside(audience_org, resolution_audience):
        errors["resolution"] = _("Nghị quyết này không được ban hành để %(org)s học tập.") % {
            "org": audience_org.name
        }
    if errors:
        raise ValidationError(errors)
    plan = StudyPlan(
        issuer_org=issuer_org,
        audience_org=audience_org,
        audience_positions=frozenset(audience_positions or ()),
        audience_groups=frozenset(audience_groups or ()),
        resolution=resolution,
        title=title[:255],
        deadline=deadline,
        audiences=audiences,
        description=_plain(description, 5000, "description"),
        cells_plan_too=bool(cells_plan_too),
        created_by=user if user.is_authenticated else None,
    )
    plan.full_clean()
    plan.save()
    return plan


def visible_plans(user):
    """Plans a member is addressed by, and those staff announce or follow (``followed_plans``)."""
    visible = scope.visible_to(user, StudyPlan.objects.all()).values("pk")
    return StudyPlan.objects.filter(Q(pk__in=visible) | Q(pk__in=followed_plans(user).values("pk")))


# --- sessions -------------------------------------------------------------------------------


def expected_members(session_or_plan, audience_org):
    """Who is invited: active members under ``audience_org`` matching the plan's position and
    group filters, without those exempt from activities."""
    plan = getattr(session_or_plan, "plan", session_or_plan)
    qs = Member.objects.filter(scope.within(audience_org, "cell"), status="active").exclude(
        group=MemberGroup.EXEMPT
    )
    if plan.audience_groups:
        qs = qs.filter(group__in=list(plan.audience_groups))
    if plan.audience_positions:
        qs = qs.filter(positions__has_any=plan.audience_positions)
    return qs


def session_orgs(user):
    """Units where the user may hold study sessions."""
    return scope.managed_orgs(user, MANAGE_STUDY).filter(is_active=True)


def _session_fields(plan, *, audience_org, title, starts_at, ends_at, place, expected):
    errors = {}
    if audience_org is None:
        errors["audience_org"] = _("Cần chọn đơn vị dự học.")
    elif not _inside(audience_org, plan.audience_org):
        errors["audience_org"] = _("Đơn vị dự học phải thuộc phạm vi của kế hoạch (%(org)s).") % {
            "org": plan.audience_org.name
        }
    if not (title or "").strip():
        errors["title"] = _("Cần nhập tên buổi học.")
    if starts_at is None:
        errors["starts_at"] = _("Cần nhập giờ bắt đầu.")
    elif ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = _("Giờ kết thúc phải sau giờ bắt đầu.")
    if not (place or "").strip():
        errors["place"] = _("Cần nhập địa điểm.")
    try:
        expected = int(expected or 0)
        if expected < 0:
            raise ValueError
    except (TypeError, ValueError):
        errors["expected_participants"] = _("Số người dự kiến phải là số không âm.")
    if errors:
        raise ValidationError(errors)
    return expected


def add_session(
    user,
    plan,
    *,
    issuer_org,
    audience_org,
    title,
    starts_at,
    place,
    ends_at=None,
    expected_participants=0,
):
    """A session of ``plan``, held by ``issuer_org`` for the members under ``audience_org``: the
    session and one roll row per invited member, in bulk."""
    _required(issuer_org, "issuer_org", _("Cần chọn đơn vị tổ chức buổi học."))
    issuer_org, audience_org, plan_audience = _fresh(issuer_org, audience_org, plan.audience_org)
    plan.audience_org = plan_audience
    _require(
        user,
        MANAGE_STUDY,
        issuer_org,
        _("Bạn không có quyền tổ chức buổi học của đơn vị này."),
    )
    expected = _session_fields(
        plan,
        audience_org=audience_org,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        expected=expected_participants,
    )
    if not _inside(audience_org, issuer_org):
        raise ValidationError(
            {
                "audience_org": _("Đơn vị dự học phải là %(org)s hoặc đơn vị trực thuộc.")
                % {"org": issuer_org.name}
            }
        )
    session = StudySession(
        plan=plan,
        issuer_org=issuer_org,
        audience_org=audience_org,
        audience_positions=plan.audience_positions,
        audience_groups=plan.audience_groups,
        title=title.strip()[:255],
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip()[:255],
        expected_participants=expected,
        created_by=user if user.is_authenticated else None,
    )
    session.full_clean()
    with transaction.atomic():
        session.save()
        member_ids = expected_members(plan, audience_org).values_list("pk", flat=True)
        SessionAttendance.objects.bulk_create(
            [SessionAttendance(session=session, member_id=pk) for pk in member_ids.iterator()],
            batch_size=1000,
        )
        if not expected:
            session.expected_participants = SessionAttendance.objects.filter(
                session=session
            ).count()
            session.save(update_fields=["expected_participants"])
    return session


def update_session(user, session, **fields):
    _require(user, MANAGE_STUDY, session.issuer_org, _("Bạn không có quyền sửa buổi học này."))
    if session.state != StudySession.State.SCHEDULED:
        raise ValidationError(_("Buổi học đã học xong hoặc đã hủy: không sửa được nữa."))
    values = {
        name: fields.get(name, getattr(session, name))
        for name in ("title", "starts_at", "ends_at", "place", "expected_participants")
    }
    expected = _session_fields(
        session.plan,
        audience_org=session.audience_org,
        title=values["title"],
        starts_at=values["starts_at"],
        ends_at=values["ends_at"],
        place=values["place"],
        expected=values["expected_participants"],
    )
    values["expected_participants"] = expected
    for name, value in values.items():
        setattr(session, name, value.strip() if isinstance(value, str) else value)
    session.full_clean()
    session.save()
    return session


def close_session(user, session):
    """The session took place: its roll stays open for late corrections by hand, and the points
    of everyone checked in are sent."""
    _require(user, MANAGE_STUDY, session.issuer_org, _("Bạn không có quyền cập nhật buổi học này."))
    if session.state == StudySession.State.CANCELLED:
        raise ValidationError(_("Buổi học đã hủy."))
    StudySession.objects.filter(pk=session.pk).update(state=StudySession.State.HELD)
    session.state = StudySession.State.HELD
    award_attendance_points(session)
    return session


def cancel_session(user, session):
    _require(user, MANAGE_STUDY, session.issuer_org, _("Bạn không có quyền cập nhật buổi học này."))
    if session.state == StudySession.State.HELD:
        raise ValidationError(_("Buổi học đã diễn ra, không hủy được."))
    StudySession.objects.filter(pk=session.pk).update(state=StudySession.State.CANCELLED)
    session.state = StudySession.State.CANCELLED
    return session


def session_source(session_id):
    return f"study.studysession:{session_id}"


def award_attendance_points(session):
    """Send ``study.session_attended`` for every member checked in at ``session`` (after the
    commit). Returns how many were sent."""
    rows = list(
        SessionAttendance.objects.filter(session=session, status__in=CHECKED_IN).values_list(
            "member_id", "checked_in_at"
        )
    )
    now = timezone.now()
    source = session_source(session.pk)

    def send():
        for member_id, at in rows:
            signals.points_earned.send(
                sender=StudySession,
                rule=RULE_ATTENDED,
                member_id=member_id,
                source=source,
                at=at or now,
            )

    transaction.on_commit(send)
    StudySession.objects.filter(pk=session.pk).update(points_awarded_at=now)
    return len(rows)


def award_recent(days=2):
    """Award points for the sessions that started in the last ``days`` days (the command)."""
    since = timezone.now() - timedelta(days=days)
    sessions = StudySession.objects.filter(starts_at__gte=since, starts_at__lte=timezone.now())
    total = 0
    for session in sessions.exclude(state=StudySession.State.CANCELLED):
        total += award_attendance_points(session)
    return total


def visible_sessions(user):
    return scope.visible_to(user, StudySession.objects.all())


def member_sessions(user):
    """Sessions the user is invited to (their roll row), or as staff, under their units."""
    return visible_sessions(user)


# --- implementation plans ---------------------------------------------------------------------


def planning_kinds(plan):
    return (*PLANNING_KINDS, OrgKind.CELL) if plan.cells_plan_too else PLANNING_KINDS


def planning_units(plan):
    """The units that must record an implementation plan for ``plan``: active units of the
    planning kinds under its audience, the announcing committee left out."""
    return Organisation.objects.filter(
        scope.within(plan.audience_org), is_active=True, kind__in=planning_kinds(plan)
    ).exclude(pk=plan.issuer_org_id)


def recording_orgs(user):
    return scope.managed_orgs(user, RECORD_IMPLEMENTATION).filter(is_active=True)


def record_implementation(user, plan, org, *, number, issued_on, text="", file=None):
    """``org``'s committee records its own implementation plan for ``plan`` (once)."""
    _required(org, "org", _("Cần chọn đơn vị."))
    org, plan_audience = _fresh(org, plan.audience_org)
    plan.audience_org = plan_audience
    _require(
        user,
        RECORD_IMPLEMENTATION,
        org,
        _("Bạn không có quyền ghi kế hoạch thực hiện của đơn vị này."),
    )
    errors = {}
    if org.pk == plan.issuer_org_id or not _inside(org, plan.audience_org):
        errors["org"] = _("Đơn vị %(org)s không thuộc phạm vi của kế hoạch này.") % {
            "org": org.name
        }
    elif org.kind not in planning_kinds(plan):
        errors["org"] = _("Kế hoạch này không yêu cầu %(org)s có kế hoạch thực hiện.") % {
            "org": org.name
        }
    number = (number or "").strip()
    if not number:
        errors["number"] = _("Cần nhập số hiệu kế hoạch.")
    elif len(number) > 60:
        errors["number"] = _("Số hiệu dài quá 60 ký tự.")
    if not isinstance(issued_on, date):
        errors["issued_on"] = _("Cần nhập ngày ban hành (dd/mm/yyyy).")
    elif issued_on > timezone.localdate():
        errors["issued_on"] = _("Ngày ban hành không được sau hôm nay.")
    text = (text or "").strip()
    if len(text) > TEXT_LIMIT:
        errors["text"] = _("Nội dung dài quá %(n)d ký tự.") % {"n": TEXT_LIMIT}
    if not text and not file:
        errors["text"] = _("Cần nhập nội dung hoặc đính kèm tệp kế hoạch.")
    if file:
        from sotay_plugins.files import check_file

        try:
            check_file(file, kinds=("pdf", "docx"))
        except ValidationError as exc:
            errors["file"] = exc.messages
    if not errors and ImplementationPlan.objects.filter(plan=plan, issuer_org=org).exists():
        errors["org"] = _("%(org)s đã ghi kế hoạch thực hiện cho kế hoạch này.") % {"org": org.name}
    if errors:
        raise ValidationError(errors)
    item = ImplementationPlan(
        plan=plan,
        issuer_org=org,
        audience_org=org,
        number=number,
        issued_on=issued_on,
        text=text,
        created_by=user if user.is_authenticated else None,
    )
    if file:
        item.file = file
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:  # a concurrent request recorded it first
        raise ValidationError(
            {"org": _("%(org)s đã ghi kế hoạch thực hiện cho kế hoạch này.") % {"org": org.name}}
        ) from None
    return item


def plans_requiring(org):
    """Plans whose audience holds ``org`` and that require it to record one (excluding its own)."""
    kinds_q = Q(cells_plan_too=True) if org.kind == OrgKind.CELL else Q()
    if org.kind not in (*PLANNING_KINDS, OrgKind.CELL):
        return StudyPlan.objects.none()
    return (
        StudyPlan.objects.filter(scope.containing(org, "audience_org"))
        .filter(kinds_q)
        .exclude(issuer_org=org)
    )


def _view_ranges(user):
    return scope.managed_ranges(user, VIEW_STUDY)


def followed_plans(user):
    """Plans the user follows as staff: announced by a unit under their view scope, or addressed
    to one (a district follows the province's plan in its own units)."""
    if scope.is_superadmin(user):
        return StudyPlan.objects.all()
    ranges = _view_ranges(user)
    if not ranges:
        return StudyPlan.objects.none()
    q = scope.within(ranges, "issuer_org")
    for rng in ranges:
        q |= scope.containing(rng, "audience_org") | scope.within(rng, "audience_org")
    return StudyPlan.objects.filter(q)


def missing_implementation(user, *, plan=None, today=None, limit=5000):
    """Rows ``(plan, unit, days_late)`` of units under the user's view scope that have not
    recorded an implementation plan; ``days_late`` counts from the plan's deadline (0: not yet
    due). One query per plan (plus one for the plans)."""
    today = today or timezone.localdate()
    plans = (
        [plan]
        if plan is not None
        else list(
            followed_plans(user).select_related("issuer_org", "audience_org").order_by("deadline")
        )
    )
    ranges = None if scope.is_superadmin(user) else _view_ranges(user)
    rows = []
    for item in plans:
        units = planning_units(item).exclude(
            pk__in=ImplementationPlan.objects.filter(plan=item).values("issuer_org_id")
        )
        if ranges is not None:
            units = units.filter(scope.within(ranges))
        late = max(0, (today - item.deadline).days)
        for unit in units.select_related("parent").order_by("tree_id", "lft")[:limit]:
            rows.append((item, unit, late))
        if len(rows) >= limit:
            break
    return rows


def resolution_choices(user):
    """Live resolutions a committee may plan: those whose audience holds one of its units."""
    if scope.is_superadmin(user):
        return ResolutionPage.objects.live()
    q = Q(pk__in=[])
    for rng in scope.managed_ranges(user, MANAGE_STUDY):
        q |= scope.containing(rng, "audience_org") | scope.within(rng, "audience_org")
    return ResolutionPage.objects.live().filter(q)


def update_plan(user, plan, *, title, deadline, description=""):
    """Change what a plan says (not its resolution or its units)."""
    _require(user, MANAGE_STUDY, plan.issuer_org, _("Bạn không có quyền sửa kế hoạch học tập này."))
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Cần nhập tên kế hoạch.")
    if not isinstance(deadline, date):
        errors["deadline"] = _("Cần nhập hạn hoàn thành (dd/mm/yyyy).")
    if errors:
        raise ValidationError(errors)
    plan.title = title[:255]
    plan.deadline = deadline
    plan.description = _plain(description, 5000, "description")
    plan.save(update_fields=["title", "deadline", "description"])
    return plan
