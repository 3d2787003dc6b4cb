"""Notifications: from a request to each member's inbox, phone and mailbox.

1. ``request`` (the ``notice_requested`` receiver, the committees' notices) writes one
   ``NoticeRequest`` row and, when it is due, an outbox job (``fan_out``) in the same
   transaction: cheap for the sender, and nothing is lost if Redis is down.
2. ``fan_out`` writes the inbox rows in bulk (``INSERT … ON CONFLICT DO NOTHING`` on
   (member, dedupe_key): the same key twice is one notice, across retries), reading each chunk's
   preferences, quiet hours and devices in three queries, then queues one push job and one mail
   job per chunk through the outbox.
3. ``push_due`` (``push.py``) sends what is due: the rows it takes are leased (``push_at`` moved
   on) so two runs never both send them; a timeout leaves the row due again later.
4. ``tick`` (``manage.py notices_tick``, every minute) starts scheduled requests and
   committees' notices, re-queues pushes held by quiet hours or a timeout, and after
   ``SOTAY_NOTICES_DIGEST_HOUR`` sends the day's digests (``send_digests``: running it twice
   sends once).
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sotay_plugins import jobs, versions
from sotay_plugins.members.models import Member
from sotay_plugins.members.services import VISIBLE_STATUSES
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.models import Organisation
from sotay_plugins.pagecache import EVERYONE_KEY
from sotay_plugins.registry import registry

from .models import (
    ANNOUNCEMENT_KIND,
    DIGEST_KIND,
    REQUIRED_ANNOUNCEMENT_KIND,
    SEND_NOTICE,
    Announcement,
    Mode,
    Notice,
    NoticeRequest,
    NoticeSettings,
    Preference,
    PushSubscription,
)

log = logging.getLogger(__name__)

CHUNK = 5000
#: Above this many recipients a fan-out marks every cached page stale at once (one stamp)
#: instead of each recipient's own.
BUMP_EVERYONE_ABOVE = 200
FAN_OUT = "sotay_plugins.notices.services.fan_out"
PUSH = "sotay_plugins.notices.push.push_batch"
MAIL = "sotay_plugins.notices.services.mail_batch"
DIGEST = "sotay_plugins.notices.services.send_digests"
TITLE_MAX = 255


def _setting(name, default):
    return getattr(settings, name, default)


# --- kinds and choices ------------------------------------------------------------------------


def required_kinds():
    extra = set(_setting("SOTAY_NOTICES_REQUIRED_KINDS", ()))
    return extra | {key for key, kind in registry.notice_kinds.items() if kind.required}


def default_mode(kind):
    if kind in required_kinds():
        return Mode.IMMEDIATE
    registered = registry.notice_kinds.get(kind)
    return registered.default if registered else Mode.IMMEDIATE


def member_modes(member):
    """``[(kind, label, mode, required)]`` for every registered kind, as the member chose."""
    chosen = dict(Preference.objects.filter(member=member).values_list("kind", "mode"))
    required = required_kinds()
    rows = []
    for key, kind in sorted(registry.notice_kinds.items(), key=lambda item: str(item[1].label)):
        if key == DIGEST_KIND:
            continue
        is_required = key in required
        mode = Mode.IMMEDIATE if is_required else chosen.get(key, default_mode(key))
        rows.append((key, kind.label, mode, is_required))
    return rows


def set_modes(member, modes):
    """Save ``{kind: mode}``; a required kind or an unknown kind or mode is refused whole."""
    required = required_kinds()
    for kind, mode in modes.items():
        if kind not in registry.notice_kinds or kind == DIGEST_KIND:
            raise ValidationError(_("Không có loại thông báo “%(kind)s”.") % {"kind": kind})
        if mode not in Mode.values:
            raise ValidationError(_("Cách nhận “%(mode)s” không hợp lệ.") % {"mode": mode})
        if kind in required and mode != Mode.IMMEDIATE:
            raise ValidationError(
                _("“%(label)s” là thông báo bắt buộc, không tắt hay gom lại được.")
                % {"label": registry.notice_kinds[kind].label}
            )
    with transaction.atomic():
        for kind, mode in modes.items():
            Preference.objects.update_or_create(member=member, kind=kind, defaults={"mode": mode})


def quiet_hours(member_settings=None):
    """``(start, end)`` local times of the member's quiet hours (None: none)."""
    if member_settings is not None and member_settings.quiet_start and member_settings.quiet_end:
        return member_settings.quiet_start, member_settings.quiet_end
    start, end = _setting("SOTAY_NOTICES_QUIET_HOURS", ("22:00", "06:00")) or (None, None)
    if not start or not end:
        return None
    return time.fromisoformat(start), time.fromisoformat(end)


def after_quiet(now, hours):
    """``now``, or the end of the quiet hours if ``now`` falls in them (local time)."""
    if not hours:
        return now
    start, end = hours
    local = timezone.localtime(now)
    clock = local.time()
    inside = start <= clock < end if start <= end else (clock >= start or clock < end)
    if not inside:
        return now
    morning = datetime.combine(local.date(), end, tzinfo=local.tzinfo)
    if morning <= local:
        morning += timedelta(days=1)
    return morning


# --- 1. the request ---------------------------------------------------------------------------


def request(*, kind, member_ids, title, body="", url="", dedupe_key, send_at=None):
    """Record a notice for ``member_ids``; it goes out (``fan_out``) when ``send_at`` has come.
    Returns the NoticeRequest (None when there is nobody to tell)."""
    ids = sorted({int(pk) for pk in member_ids})
    if not ids:
        return None
    if not dedupe_key:
        raise ValueError("notice_requested needs a dedupe_key")
    now = timezone.now()
    with transaction.atomic():
        req = NoticeRequest.objects.create(
            kind=kind[:100],
            title=(title or "")[:TITLE_MAX],
            body=body or "",
            url=(url or "")[:500],
            dedupe_key=dedupe_key[:200],
            member_ids=ids,
            send_at=send_at or now,
            state=NoticeRequest.State.QUEUED
            if (send_at or now) <= now
            else NoticeRequest.State.PENDING,
        )
        if req.state == NoticeRequest.State.QUEUED:
            jobs.enqueue(FAN_OUT, request_id=req.pk)
    return req


def on_notice_requested(sender, *, kind, member_ids, title, body="", url="", **kwargs):
    request(
        kind=kind,
        member_ids=member_ids,
        title=title,
        body=body,
        url=url,
        dedupe_key=kwargs.get("dedupe_key") or "",
        send_at=kwargs.get("send_at"),
    )


# --- 2. the fan-out ---------------------------------------------------------------------------


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def fan_out(job=None, *, request_id):
    """Write the inbox rows of one request and queue its pushes and mails. Idempotent."""
    req = NoticeRequest.objects.filter(pk=request_id).first()
    if req is None or req.state == NoticeRequest.State.DONE:
        return {"skipped": True}
    now = timezone.now()
    plan = {
        "required": req.kind in required_kinds(),
        "default": default_mode(req.kind),
        "site_push_at": after_quiet(now, quiet_hours()),
        "now": now,
    }
    write = _write_chunk_sql if connection.vendor == "postgresql" else _write_chunk
    written = pushes = mails = 0
    ids = list(req.member_ids)
    for done, chunk in enumerate(_chunks(ids, CHUNK)):
        with transaction.atomic():
            rows, push_now, mail_now = write(req, chunk, plan)
            for part in _chunks(push_now, 500):
                jobs.enqueue(PUSH, notice_key=req.dedupe_key, member_ids=part)
            if mail_now:
                jobs.enqueue(MAIL, notice_key=req.dedupe_key, member_ids=mail_now)
        written += rows
        pushes += len(push_now)
        mails += len(mail_now)
        if job is not None:
            jobs.job_progress(job, min((done + 1) * CHUNK, len(ids)), len(ids))
    NoticeRequest.objects.filter(pk=req.pk).update(
        state=NoticeRequest.State.DONE, written=written, done_at=timezone.now()
    )
    _pages_stale(ids)
    return {"written": written, "pushes": pushes, "mails": mails}


def _write_chunk(req, chunk, plan):
    """Inbox rows for ``chunk`` through the ORM (any database): preferences, settings and
    devices read in three queries, rows written with ``ignore_conflicts``. Returns (rows
    written or already there, members to push now, members to mail)."""
    now = plan["now"]
    present = set(Member.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    modes = (
        {}
        if plan["required"]
        else dict(
            Preference.objects.filter(member_id__in=chunk, kind=req.kind).values_list(
                "member_id", "mode"
            )
        )
    )
    own = {s.pk: s for s in NoticeSettings.objects.filter(member_id__in=chunk)}
    devices = set(
        PushSubscription.objects.filter(member_id__in=chunk)
        .values_list("member_id", flat=True)
        .distinct()
    )
    rows, push_now, mail_now = [], [], []
    for member_id in chunk:
        if member_id not in present:
            continue
        mode = modes.get(member_id, plan["default"])
        if mode == Mode.OFF:
            continue
        mine = own.get(member_id)
        push_at = None
        if mode == Mode.IMMEDIATE and member_id in devices:
            push_at = after_quiet(now, quiet_hours(mine)) if mine else plan["site_push_at"]
            if push_at <= now:
                push_now.append(member_id)
        email = bool(mine and mine.email) and mode == Mode.IMMEDIATE
        if email:
            mail_now.append(member_id)
        rows.append(
            Notice(
                member_id=member_id,
                kind=req.kind,
                title=req.title,
                body=req.body,
                url=req.url,
                dedupe_key=req.dedupe_key,
                created_at=req.send_at,
                push_at=push_at,
                digest=mode == Mode.DIGEST,
                email=email,
            )
        )
    Notice.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows), push_now, mail_now


def _write_chunk_sql(req, chunk, plan):
    """The same in one ``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING`` (PostgreSQL):
    the members' preferences, settings and devices joined in the database, no row through
    Python. The few members with quiet hours of their own get their push time after."""
    q = connection.ops.quote_name
    notice, member = q(Notice._meta.db_table), q(Member._meta.db_table)
    pref, own = q(Preference._meta.db_table), q(NoticeSettings._meta.db_table)
    device = q(PushSubscription._meta.db_table)
    sql = f"""
        INSERT INTO {notice} (member_id, kind, title, body, url, dedupe_key, created_at,
            read_at, push_at, pushed_at, push_attempts, digest, digested_at, email, mailed_at)
        SELECT m.id, %(kind)s, %(title)s, %(body)s, %(url)s, %(key)s, %(created)s, NULL,
            CASE WHEN x.mode = 'immediate' AND EXISTS (
                SELECT 1 FROM {device} d WHERE d.member_id = m.id) THEN %(push_at)s::timestamptz
            END,
            NULL, 0, x.mode = 'digest', NULL,
            x.mode = 'immediate' AND COALESCE(s.email, '') <> '', NULL
        FROM {member} m
        LEFT JOIN {pref} p ON p.member_id = m.id AND p.kind = %(kind)s
        LEFT JOIN {own} s ON s.member_id = m.id
        CROSS JOIN LATERAL (SELECT CASE WHEN %(required)s THEN 'immediate'
            ELSE COALESCE(p.mode, %(default)s) END AS mode) x
        WHERE m.id = ANY(%(ids)s) AND x.mode <> 'off'
        ON CONFLICT (member_id, dedupe_key) DO NOTHING
        RETURNING member_id, push_at, email
    """  # noqa: S608
    params = {
        "kind": req.kind,
        "title": req.title,
        "body": req.body,
        "url": req.url,
        "key": req.dedupe_key,
        "created": req.send_at,
        "push_at": plan["site_push_at"],
        "required": plan["required"],
        "default": str(plan["default"]),
        "ids": list(chunk),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = cursor.fetchall()
    now = plan["now"]
    with_push = [member_id for member_id, push_at, _email in inserted if push_at is not None]
    due = {member_id for member_id, push_at, _email in inserted if push_at and push_at <= now}
    # Quiet hours of their own: few members; their rows' push time is set here.
    for mine in NoticeSettings.objects.filter(
        member_id__in=with_push, quiet_start__isnull=False, quiet_end__isnull=False
    ):
        push_at = after_quiet(now, quiet_hours(mine))
        if push_at != plan["site_push_at"]:
            Notice.objects.filter(member_id=mine.pk, dedupe_key=req.dedupe_key).update(
                push_at=push_at
            )
        if push_at <= now:
            due.add(mine.pk)
        else:
            due.discard(mine.pk)
    push_now = sorted(due)
    mail_now = [member_id for member_id, _push_at, email in inserted if email]
    return len(inserted), push_now, mail_now


def _pages_stale(member_ids):
    """The shell shows the unread count: cached pages of these members are stale."""
    if len(member_ids) > BUMP_EVERYONE_ABOVE:
        versions.bump(EVERYONE_KEY)
        return
    user_ids = Member.objects.filter(pk__in=member_ids, user__isnull=False).values_list(
        "user_id", flat=True
    )
    versions.bump(*[versions.person_key(pk) for pk in user_ids])


# --- the inbox --------------------------------------------------------------------------------

UNREAD_TTL = 300


def unread_key(user_id, stamps):
    return f"sotay:notices:unread:{user_id}:{stamps}"


def unread_count(user):
    """The member's unread notices, kept in the cache under the person's and everyone's stamps
    (a fan-out or a mark-read moves one on): usually no query at all, else one COUNT."""
    from django.core.cache import cache

    if not getattr(user, "is_authenticated", False):
        return 0
    stamps = versions.current_many([versions.person_key(user.pk), EVERYONE_KEY])
    key = unread_key(user.pk, "-".join(str(stamps[k]) for k in sorted(stamps)))
    count = cache.get(key)
    if count is None:
        count = Notice.objects.filter(member__user_id=user.pk, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_TTL)
    return count


def shell_badge(request):
    """The shell tab's badge: the unread count, or None (no badge)."""
    return unread_count(request.user) or None


def inbox(user):
    """The user's notices, newest first (through their member record: no lookup of it)."""
    return Notice.objects.filter(member__user_id=user.pk).order_by("-created_at", "-id")


def mark_read(user, notice_ids=None):
    """Mark the user's notices read (all of them when ``notice_ids`` is None). Returns how
    many changed. Someone else's notice ids change nothing."""
    rows = Notice.objects.filter(member__user_id=user.pk, read_at__isnull=True)
    if notice_ids is not None:
        rows = rows.filter(pk__in=list(notice_ids))
    changed = rows.update(read_at=timezone.now())
    if changed:
        versions.bump(versions.person_key(user.pk))
    return changed


# --- e-mail -----------------------------------------------------------------------------------


def _claim(rows, **lease):
    """Take ``rows`` (a queryset of notices) for this run: ids of those this UPDATE changed."""
    ids = list(rows.values_list("pk", flat=True))
    if not ids:
        return []
    with transaction.atomic():
        locked = Notice.objects.filter(pk__in=ids)
        if transaction.get_connection().features.has_select_for_update_skip_locked:
            locked = locked.select_for_update(skip_locked=True)
        taken = list(locked.filter(**{k: None for k in lease}).values_list("pk", flat=True))
        Notice.objects.filter(pk__in=taken).update(**lease)
    return taken


def mail_batch(job=None, *, notice_key, member_ids):
    """Mail the members who asked for e-mail. Each row is taken once (``mailed_at``)."""
    rows = Notice.objects.filter(
        dedupe_key=notice_key, member_id__in=member_ids, email=True, mailed_at__isnull=True
    )
    taken = _claim(rows, mailed_at=timezone.now())
    notices = Notice.objects.filter(pk__in=taken)
    addresses = dict(
        NoticeSettings.objects.filter(member_id__in=notices.values("member_id")).values_list(
            "member_id", "email"
        )
    )
    site = _setting("SOTAY_SITE_URL", "")
    messages = []
    for notice in notices:
        address = addresses.get(notice.member_id)
        if address:
            link = f"\n\n{site}{notice.url}" if notice.url else ""
            messages.append((notice.title, f"{notice.body}{link}", None, [address]))
    sent = send_mass_mail(messages, fail_silently=False) if messages else 0
    return {"mailed": sent}


# --- digests ----------------------------------------------------------------------------------


def send_digests(job=None, *, day=None):
    """One digest per member with notices waiting: a notice of its own (dedupe key per member
    and day) pushed and mailed as any other. Running it twice sends once: the waiting rows are
    taken (``digested_at``) in the same transaction as the digest is written."""
    day = day or timezone.localdate().isoformat()
    now = timezone.now()
    members = list(
        Notice.objects.filter(digest=True, digested_at__isnull=True)
        .values_list("member_id", flat=True)
        .distinct()
        .order_by("member_id")
    )
    sent = 0
    for chunk in _chunks(members, 1000):
        with transaction.atomic():
            waiting = Notice.objects.filter(
                member_id__in=chunk, digest=True, digested_at__isnull=True
            )
            if transaction.get_connection().features.has_select_for_update_skip_locked:
                waiting = waiting.select_for_update(skip_locked=True)
            per_member = {}
            for pk, member_id, title in waiting.values_list("pk", "member_id", "title"):
                per_member.setdefault(member_id, []).append((pk, title))
            taken = [pk for items in per_member.values() for pk, _title in items]
            Notice.objects.filter(pk__in=taken).update(digested_at=now)
            own = {s.pk: s for s in NoticeSettings.objects.filter(member_id__in=per_member)}
            devices = set(
                PushSubscription.objects.filter(member_id__in=per_member).values_list(
                    "member_id", flat=True
                )
            )
            rows = []
            for member_id, items in per_member.items():
                mine = own.get(member_id)
                body = "; ".join(title for _pk, title in items[:5])
                rows.append(
                    Notice(
                        member_id=member_id,
                        kind=DIGEST_KIND,
                        title=ngettext(
                            "%(n)d thông báo mới trong ngày",
                            "%(n)d thông báo mới trong ngày",
                            len(items),
                        )
                        % {"n": len(items)},
                        body=body[:2000],
                        url="",
                        dedupe_key=f"{DIGEST_KIND}:{day}",
                        created_at=now,
                        read_at=now,  # a summary of what the inbox already shows
                        push_at=after_quiet(now, quiet_hours(mine))
                        if member_id in devices
                        else None,
                        email=bool(mine and mine.email),
                    )
                )
            Notice.objects.bulk_create(rows, ignore_conflicts=True)
            key = f"{DIGEST_KIND}:{day}"
            push_now = [r.member_id for r in rows if r.push_at and r.push_at <= now]
            for part in _chunks(push_now, 500):
                jobs.enqueue(PUSH, notice_key=key, member_ids=part)
            mail_now = [r.member_id for r in rows if r.email]
            if mail_now:
                jobs.enqueue(MAIL, notice_key=key, member_ids=mail_now)
            sent += len(rows)
    return {"digests": sent}


# --- committees' notices ----------------------------------------------------------------------


def sendable_orgs(user):
    return scope.managed_orgs(user, SEND_NOTICE).filter(is_active=True)


def audience_member_ids(item):
    """Ids of the active members a Published-like item (``audience_org``, positions, groups)
    reaches: the scope engine's audience rule asked the other way round."""
    members = Member.objects.filter(
        scope.within(item.audience_org, "cell"),
        status__in=VISIBLE_STATUSES,
        user__is_active=True,
    )
    if item.audience_positions:
        members = members.filter(positions__has_any=item.audience_positions)
    if item.audience_groups:
        members = members.filter(group__in=sorted(item.audience_groups))
    return members.order_by("pk").values_list("pk", flat=True)


def _page_filter(page):
    """The members who may read ``page`` (None: every member; it is not scoped), or a
    ValidationError when it is not published."""
    specific = page.specific
    if not specific.live:
        raise ValidationError({"page": _("Trang này chưa được đăng: đảng viên chưa đọc được.")})
    try:
        spec = scope.spec_of(type(specific))
    except TypeError:
        return None
    if not spec.audience:
        raise ValidationError({"page": _("Trang này không dành cho đảng viên.")})
    return set(audience_member_ids(specific))


def choosable_by(user, page):
    """May ``user`` link ``page`` to a notice? Exactly what the admin's page chooser offers
    them: Wagtail's ``construct_page_chooser_queryset`` hooks, where the module that owns the
    pages narrows the listing through the scope engine (one query). A page id posted by hand
    past the chooser meets the same rule."""
    from django.http import HttpRequest
    from wagtail import hooks
    from wagtail.models import Page

    request = HttpRequest()
    request.user = user
    pages = Page.objects.filter(pk=page.pk)
    for narrow in hooks.get_hooks("construct_page_chooser_queryset"):
        pages = narrow(pages, request)
    return pages.exists()


def recipients(announcement):
    ids = list(audience_member_ids(announcement))
    if announcement.page_id:
        readers = _page_filter(announcement.page)
        if readers is not None:
            ids = [pk for pk in ids if pk in readers]
    return ids


def compose(user, **fields):
    """Create a committee's notice (``Announcement``) and send it now or at ``send_at``.

    Refused (nothing written) unless the user holds ``notices.send_notice`` at the issuing unit
    and the audience lies in its subtree; a page it links must be published and one the user's
    page chooser offers (``choosable_by``: nothing outside their scope)."""
    issuer, audience = fields.get("issuer_org"), fields.get("audience_org")
    if issuer is None or audience is None:
        raise ValidationError(_("Chọn đơn vị gửi và phạm vi nhận."))
    # Their place in the tree as it is now (an instance loaded earlier may carry stale ranges).
    units = Organisation.objects.in_bulk([issuer.pk, audience.pk])
    issuer = fields["issuer_org"] = units[issuer.pk]
    audience = fields["audience_org"] = units[audience.pk]
    if not scope.can(user, SEND_NOTICE, issuer):
        raise PermissionDenied(_("Bạn không được gửi thông báo thay đơn vị này."))
    if not scope.can(user, SEND_NOTICE, audience):
        raise ValidationError(
            {"audience_org": _("Bạn chỉ được gửi thông báo trong phạm vi đơn vị mình phụ trách.")}
        )
    send_at = fields.get("send_at")
    if send_at is not None and send_at < timezone.now() - timedelta(minutes=5):
        raise ValidationError({"send_at": _("Thời điểm gửi đã qua.")})
    announcement = Announcement(created_by=user, **fields)
    announcement.full_clean(exclude=["state", "recipients"])
    if announcement.page_id:
        if not choosable_by(user, announcement.page):
            raise ValidationError(
                {"page": _("Bạn chỉ được gắn trang trong phạm vi đơn vị mình phụ trách.")}
            )
        _page_filter(announcement.page)
    with transaction.atomic():
        announcement.save()
        if send_at is None or send_at <= timezone.now():
            deliver(announcement)
    return announcement


def deliver(announcement):
    """Send a committee's notice to its recipients (once: it moves to "sent" under a lock)."""
    with transaction.atomic():
        claimed = Announcement.objects.filter(
            pk=announcement.pk, state=Announcement.State.SCHEDULED
        ).update(state=Announcement.State.SENT, sent_at=timezone.now())
        if not claimed:
            return 0
        ids = recipients(announcement)
        request(
            kind=REQUIRED_ANNOUNCEMENT_KIND if announcement.required else ANNOUNCEMENT_KIND,
            member_ids=ids,
            title=announcement.title,
            body=announcement.body,
            url=announcement.page.url if announcement.page_id else "",
            dedupe_key=announcement.dedupe_key,
        )
        Announcement.objects.filter(pk=announcement.pk).update(recipients=len(ids))
    announcement.refresh_from_db()
    return len(ids)


def delivery_counts(announcement):
    """``{"written": n, "read": n, "pushed": n}`` of a committee's notice (one query)."""
    from django.db.models import Count

    return Notice.objects.filter(dedupe_key=announcement.dedupe_key).aggregate(
        written=Count("pk"),
        read=Count("pk", filter=Q(read_at__isnull=False)),
        pushed=Count("pk", filter=Q(pushed_at__isnull=False)),
    )


# --- 4. the tick ------------------------------------------------------------------------------


def tick(now=None):
    """What ``notices_tick`` does every minute. Returns a summary."""
    from .push import requeue_due

    now = now or timezone.now()
    started = 0
    for announcement in Announcement.objects.filter(
        state=Announcement.State.SCHEDULED, send_at__lte=now
    )[:100]:
        deliver(announcement)
        started += 1
    due = NoticeRequest.objects.filter(state=NoticeRequest.State.PENDING, send_at__lte=now)
    for pk in due.values_list("pk", flat=True)[:1000]:
        with transaction.atomic():
            if NoticeRequest.objects.filter(pk=pk, state=NoticeRequest.State.PENDING).update(
                state=NoticeRequest.State.QUEUED
            ):
                jobs.enqueue(FAN_OUT, request_id=pk)
                started += 1
    requeued = requeue_due(now)
    digests = 0
    hour = _setting("SOTAY_NOTICES_DIGEST_HOUR", 7)
    local = timezone.localtime(now)
    if local.hour >= hour:
        from django.core.cache import cache

        if cache.add(f"sotay:notices:digest:{local.date().isoformat()}", 1, 26 * 3600):
            jobs.enqueue(DIGEST, day=local.date().isoformat())
            digests = 1
    return {"started": started, "pushes": requeued, "digests": digests}
