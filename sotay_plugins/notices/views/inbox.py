"""The member's inbox and their notification settings. Plain HTML forms (no JavaScript needed);
the device sign-up for Web Push on the settings page is a small self-hosted script.

The inbox page reads the notices in one query (through the member's account, no lookup of the
member) and pages by "older than this one" (no COUNT); the shell's unread badge is cached.
"""

from __future__ import annotations

from datetime import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sotay_plugins.members.services import current_member

from .. import push, services
from ..models import Mode, NoticeSettings

PER_PAGE = 20


@login_required
@require_GET
@never_cache
def inbox(request):
    rows = services.inbox(request.user).only(
        "pk", "title", "body", "url", "created_at", "read_at", "kind"
    )
    before = request.GET.get("truoc")
    if before and before.isdigit():
        rows = rows.filter(pk__lt=int(before))
    notices = list(rows[: PER_PAGE + 1])
    more = len(notices) > PER_PAGE
    notices = notices[:PER_PAGE]
    return render(
        request,
        "notices/inbox.html",
        {
            "notices": notices,
            "older": notices[-1].pk if more else None,
            "any_unread": any(n.read_at is None for n in notices),
        },
    )


def _safe_target(request, url):
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


@login_required
@require_GET
def open_notice(request, pk):
    """Open a notice: marked read, then where it leads (a local page only)."""
    notice = services.inbox(request.user).filter(pk=pk).only("pk", "url", "read_at").first()
    if notice is None:
        raise Http404
    if notice.read_at is None:
        services.mark_read(request.user, [notice.pk])
    return redirect(_safe_target(request, notice.url) or "notices:inbox")


@login_required
@require_POST
def mark_one_read(request, pk):
    if (
        not services.mark_read(request.user, [pk])
        and not services.inbox(request.user).filter(pk=pk).exists()
    ):
        raise Http404
    return redirect("notices:inbox")


@login_required
@require_POST
def mark_all_read(request):
    changed = services.mark_read(request.user)
    messages.success(request, _("Đã đánh dấu %(n)d thông báo là đã đọc.") % {"n": changed})
    return redirect("notices:inbox")


def _time(value):
    try:
        return time.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationError(_("Giờ không hợp lệ: %(value)s.") % {"value": value}) from None


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    member = current_member(request.user)
    if member is None:
        return render(request, "notices/preferences.html", {"member": None})
    own = NoticeSettings.objects.filter(member=member).first() or NoticeSettings(member=member)
    if request.method == "POST":
        modes = {
            key: request.POST.get(f"mode-{key}")
            for key, _label, _mode, required in services.member_modes(member)
            if not required and request.POST.get(f"mode-{key}")
        }
        try:
            with transaction.atomic():
                services.set_modes(member, modes)
                own.email = (request.POST.get("email") or "").strip()
                own.quiet_start = _time(request.POST.get("quiet_start"))
                own.quiet_end = _time(request.POST.get("quiet_end"))
                if bool(own.quiet_start) != bool(own.quiet_end):
                    raise ValidationError(
                        _("Chọn cả giờ bắt đầu và giờ kết thúc của giờ yên lặng.")
                    )
                own.full_clean()
                own.save()
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Đã lưu cách nhận thông báo."))
            return redirect("notices:preferences")
    return render(
        request,
        "notices/preferences.html",
        {
            "member": member,
            "kinds": services.member_modes(member),
            "modes": Mode.choices,
            "own": own,
            "quiet": services.quiet_hours(own),
            "devices": list(member.push_subscriptions.order_by("-created_at")),
            "push_key": push.public_key(),
        },
    )
