"""Exports: asking for one, running it (a background job), downloading it, and removing it.

    export, created = request_export(user, kind="members", org=unit, start=..., end=...,
                                     filters={"status": "active"}, personal=False)

Rules (issue 16):

- the unit must lie where the user holds ``reports.export`` (else :class:`NotFound`: a unit out
  of scope is answered as one that does not exist); a member list also needs
  ``members.view_member`` there, and its personal columns ``members.view_personal``
  (else :class:`Refused`, in Vietnamese);
- a bad period changes nothing (``periods.check_period``);
- the same thing asked twice while the first is still pending or running gives the first
  back: one job (a partial unique constraint makes it hold under concurrent requests too);
- the job checks the rights again when it starts and takes the unit's cells *then*: an export
  whose unit is moved while it runs finishes with the cells it started with (a snapshot); the
  download checks the rights again, against the tree as it is at download time;
- only the person who asked may download it, until ``expires_at`` (a day after it is ready);
  :func:`purge_expired` deletes the files (``manage.py purge_exports``, a job scheduled at
  expiry when RQ runs, and on every request);
- every request and every download is written to the audit log (who, what, which units).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from sotay_plugins import jobs
from sotay_plugins.members.models import MembershipKind, MemberStatus
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import MemberGroup, OrgKind
from sotay_plugins.orgtree.models import Organisation

from . import periods
from .models import Export

logger = logging.getLogger(__name__)

EXPORT = "reports.export"
VIEW_MEMBERS = "members.view_member"
VIEW_PERSONAL = "members.view_personal"
JOB_FUNC = "sotay_plugins.reports.exports.services.run_export_job"
PURGE_FUNC = "sotay_plugins.reports.exports.services.purge_job"

#: kind → the formats it is made in (the first is the default)
FORMATS = {
    Export.Kind.MEMBERS: (Export.Format.XLSX,),
    Export.Kind.SUMMARY: (Export.Format.XLSX, Export.Format.PDF),
    Export.Kind.MONTHLY: (Export.Format.PDF, Export.Format.ZIP),
}
#: What each filter of a member list accepts.
MEMBER_FILTERS = {
    "status": dict(MemberStatus.choices),
    "group": dict(MemberGroup.choices),
    "membership": dict(MembershipKind.choices),
}
FILTER_LABELS = {
    "status": gettext_lazy("Tình trạng"),
    "group": gettext_lazy("Nhóm đảng viên"),
    "membership": gettext_lazy("Loại đảng viên"),
}


class NotFound(Exception):
    """The unit or the export is out of the caller's sight (answered as 404)."""


class Refused(Exception):
    """The caller may see the unit but not this (answered as 403, with the reason)."""


def lifetime():
    return timedelta(seconds=int(getattr(settings, "SOTAY_EXPORT_LIFETIME_SECONDS", 24 * 3600)))


# --- who may ------------------------------------------------------------------------------------


def export_units(user):
    """The active units where ``user`` may ask for exports (whole subtrees), in tree order."""
    return (
        scope.managed_orgs(user, EXPORT)
        .filter(is_active=True)
        .order_by("tree_id", "lft")
        .only("pk", "name", "code", "kind", "level", "tree_id", "lft", "rght")
    )


def may_export(user):
    return scope.can(user, EXPORT)


def check_rights(user, kind, org, personal):
    """Raise :class:`NotFound` or :class:`Refused` unless ``user`` may export ``kind`` of
    ``org`` (re-asked at the job's start and at download)."""
    if user is None or not user.is_active or not scope.can(user, EXPORT, org):
        raise NotFound
    if kind == Export.Kind.MEMBERS:
        if not scope.can(user, VIEW_MEMBERS, org):
            raise Refused(_("Bạn không có quyền xem danh sách đảng viên của đơn vị này."))
        if personal and not scope.can(user, VIEW_PERSONAL, org):
            raise Refused(
                _(
                    "Bạn không có quyền xem thông tin cá nhân (ngày sinh, CCCD, quê quán, địa chỉ, "
                    "số điện thoại) của đảng viên đơn vị này. Xin bỏ chọn “Gồm thông tin cá "
                    "nhân” để xuất danh sách không có các cột đó."
                )
            )


def clean_filters(kind, filters):
    """Only the filters a report knows, with values it knows; a Vietnamese error otherwise."""
    filters = dict(filters or {})
    if kind != Export.Kind.MEMBERS:
        if any(v for v in filters.values()):
            raise ValidationError({"filters": [_("Báo cáo này không có bộ lọc.")]})
        return {}
    unknown = sorted(set(filters) - set(MEMBER_FILTERS))
    if unknown:
        raise ValidationError(
            {"filters": [_("Bộ lọc không có: %(names)s.") % {"names": ", ".join(unknown)}]}
        )
    clean = {}
    for name, value in filters.items():
        if value in (None, ""):
            continue
        if not isinstance(value, str) or value not in MEMBER_FILTERS[name]:
            raise ValidationError(
                {"filters": [_("Giá trị không hợp lệ cho bộ lọc “%(name)s”.") % {"name": name}]}
            )
        clean[name] = value
    clean.setdefault("status", MemberStatus.ACTIVE)
    return clean


def filter_lines(kind, filters, personal):
    """The filters as the heading of a file reads them."""
    lines = []
    for name, value in sorted((filters or {}).items()):
        if name in MEMBER_FILTERS:
            lines.append(f"{FILTER_LABELS[name]}: {MEMBER_FILTERS[name].get(value, value)}")
    if kind == Export.Kind.MEMBERS:
        lines.append(
            _("Gồm thông tin cá nhân (Nghị định 13/2023)")
            if personal
            else _("Không gồm thông tin cá nhân")
        )
    return lines


def dedupe_key(user, kind, fmt, org, start, end, filters, personal):
    raw = json.dumps(
        [user.pk, kind, fmt, org.pk, start.isoformat(), end.isoformat(), filters, bool(personal)],
        sort_keys=True,
    )
    return hashlib.sha256(raw.encode()).hexdigest()


# --- asking -------------------------------------------------------------------------------------


def request_export(
    user, *, kind, org, start, end, filters=None, personal=False, fmt=None
) -> tuple[Export, bool]:
    """Ask for an export: ``(export, created)``; an identical one still running is returned
    instead of a second job. Raises NotFound, Refused or ValidationError (nothing written)."""
    if kind not in FORMATS:
        raise ValidationError({"kind": [_("Không có loại báo cáo này.")]})
    fmt = fmt or FORMATS[kind][0]
    if fmt not in FORMATS[kind]:
        raise ValidationError(
            {"format": [_("Báo cáo này không xuất được dưới định dạng đã chọn.")]}
        )
    if org is None or not org.is_active:
        raise NotFound
    check_rights(user, kind, org, personal and kind == Export.Kind.MEMBERS)
    personal = bool(personal) and kind == Export.Kind.MEMBERS
    filters = clean_filters(kind, filters)
    start, end = periods.check_period(start, end, one_month=kind == Export.Kind.MONTHLY)
    if kind == Export.Kind.MONTHLY and fmt == Export.Format.PDF and org.kind != OrgKind.CELL:
        fmt = Export.Format.ZIP  # one PDF per cell: a unit above cells gets them in one zip
    key = dedupe_key(user, kind, fmt, org, start, end, filters, personal)
    purge_expired()
    with transaction.atomic():
        existing = Export.objects.filter(dedupe_key=key, status__in=Export.ACTIVE).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                export = Export.objects.create(
                    requested_by=user,
                    kind=kind,
                    format=fmt,
                    org=org,
                    org_name=org.name,
                    period_start=start,
                    period_end=end,
                    filters=filters,
                    personal=personal,
                    dedupe_key=key,
                    expires_at=timezone.now() + lifetime(),
                )
        except IntegrityError:  # the same request, a moment earlier, in another process
            existing = Export.objects.filter(dedupe_key=key, status__in=Export.ACTIVE).first()
            if existing is None:
                raise
            return existing, False
        log(
            export,
            "sotay_reports.export",
            user=user,
            data={
                "kind": kind,
                "format": fmt,
                "org": org.pk,
                "org_code": org.code,
                "org_name": org.name,
                "period": [start.isoformat(), end.isoformat()],
                "filters": filters,
                "personal": personal,
            },
        )
        job = jobs.enqueue(JOB_FUNC, user=user, export_id=export.pk)
        Export.objects.filter(pk=export.pk).update(job=job)
        export.job = job
    return export, True


# --- reading ------------------------------------------------------------------------------------


def my_exports(user):
    """The caller's own exports, newest first (nobody else's, whatever their rights)."""
    if not getattr(user, "is_authenticated", False):
        return Export.objects.none()
    return Export.objects.filter(requested_by=user).select_related("org")


def my_export(user, pk):
    export = my_exports(user).filter(pk=pk).first()
    if export is None:
        raise NotFound
    return export


def for_download(user, pk):
    """The caller's ready, unexpired export whose unit they may still export (the tree and their
    rights as they are now), else NotFound."""
    export = my_export(user, pk)
    if (
        export.status != Export.Status.DONE
        or not export.file
        or export.expires_at <= timezone.now()
    ):
        raise NotFound
    try:
        check_rights(user, export.kind, export.org, export.personal)
    except Refused:
        raise NotFound from None
    return export


def record_download(export, user):
    log(
        export,
        "sotay_reports.export_download",
        user=user,
        data={"org": export.org_id, "kind": export.kind, "personal": export.personal},
    )


# --- running ------------------------------------------------------------------------------------


class Progress:
    """Writes the export's percentage (and the outbox job's) at most once per whole percent."""

    def __init__(self, export, job=None):
        self.export, self.job, self.percent = export, job, -1

    def __call__(self, done, total):
        percent = min(99, int(done * 100 / total)) if total else 0
        if percent <= self.percent:
            return
        self.percent = percent
        Export.objects.filter(pk=self.export.pk).update(progress=percent)
        if self.job is not None:
            jobs.job_progress(self.job, done, total)


def cells_of(user, kind, org):
    """The active cells under ``org`` where ``user`` may export (and, for a member list, see
    members), in tree order, as ``[(id, code, name)]``: the scope engine's answer taken once, at
    the job's start. The export reads by these ids only (the snapshot)."""
    cells = export_units(user).filter(scope.within(org), kind=OrgKind.CELL)
    if kind == Export.Kind.MEMBERS:
        cells = cells.filter(pk__in=scope.managed_orgs(user, VIEW_MEMBERS).values("pk"))
    return list(cells.values_list("pk", "code", "name"))


def file_name(export):
    stamp = f"{export.period_end:%Y%m%d}"
    slug = {"members": "danh-sach-dang-vien", "summary": "thong-ke", "monthly": "bao-cao-thang"}
    return f"{slug[export.kind]}-{export.org.code}-{stamp}.{export.format}"


def run_export_job(job, export_id):
    """The outbox job (idempotent: an export that is done, failed or expired is left alone)."""
    return run_export(export_id, job=job)


def run_export(export_id, job=None):
    from . import builders

    export = Export.objects.select_related("org", "requested_by").filter(pk=export_id).first()
    if export is None or export.status not in Export.ACTIVE:
        return {"export": export_id, "skipped": True}
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.RUNNING, started_at=timezone.now(), progress=0
    )
    user = export.requested_by
    scope.forget(user)
    org = Organisation.objects.get(pk=export.org_id)
    try:
        check_rights(user, export.kind, org, export.personal)
    except (NotFound, Refused) as exc:
        message = str(exc) if isinstance(exc, Refused) else ""
        return _fail(
            export,
            message or _("Bạn không còn quyền xuất báo cáo của đơn vị này; tệp không được tạo."),
        )
    cells = cells_of(
        user, export.kind, org
    )  # the snapshot: a move from now on changes nothing here
    progress = Progress(export, job)
    handle, path = tempfile.mkstemp(prefix="sotay-export-", suffix=f".{export.format}")
    os.close(handle)
    try:
        rows = builders.build(export, org, cells, path, progress)
        name = file_name(export)
        with open(path, "rb") as data:
            export.file.save(name, File(data), save=False)
        now = timezone.now()
        Export.objects.filter(pk=export.pk).update(
            status=Export.Status.DONE,
            progress=100,
            file=export.file.name,
            file_name=name,
            size=os.path.getsize(path),
            rows=rows,
            units=len(cells),
            finished_at=now,
            expires_at=now + lifetime(),
            message="",
        )
    except builders.Unbuildable as exc:
        return _fail(export, str(exc))
    except Exception:
        logger.exception("export %s failed", export.pk)
        if export.file.name:
            export.file.storage.delete(export.file.name)
        return _fail(export, _("Không tạo được tệp do lỗi hệ thống; xin yêu cầu lại sau ít phút."))
    finally:
        os.unlink(path)
    _schedule_purge(export.pk)
    return {"export": export.pk, "rows": rows, "units": len(cells)}


def _fail(export, message):
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.FAILED, message=message, finished_at=timezone.now()
    )
    return {"export": export.pk, "failed": message}


# --- removing -----------------------------------------------------------------------------------


def _schedule_purge(export_id):
    """With RQ, a purge runs when the export expires (the command and each request also purge)."""
    if settings.SOTAY_JOBS_INLINE:
        return
    try:
        import django_rq

        django_rq.get_queue("default").enqueue_in(
            lifetime() + timedelta(minutes=1), purge_job, job_id=f"export-purge-{export_id}"
        )
    except Exception:  # Redis down: the next request or the command purges it
        logger.warning("export %s: purge not scheduled", export_id, exc_info=True)


def purge_job():
    return purge_expired()


def purge_expired(now=None):
    """Delete the files of expired exports and mark them expired; forget exports older than a
    week (their audit entries stay). Also fails exports stuck pending for a day. Returns how
    many files were deleted."""
    now = now or timezone.now()
    deleted = 0
    expired = Export.objects.filter(expires_at__lte=now).exclude(status=Export.Status.EXPIRED)
    for export in expired.only("pk", "file", "status"):
        if export.file.name:
            export.file.storage.delete(export.file.name)
            deleted += 1
        Export.objects.filter(pk=export.pk).update(
            status=Export.Status.EXPIRED, file="", progress=0
        )
    Export.objects.filter(
        status=Export.Status.EXPIRED, expires_at__lte=now - timedelta(days=7)
    ).delete()
    return deleted
