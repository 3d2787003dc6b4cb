"""The member's calendar: the month (a grid of days, then that month's events day by day), the
coming weeks as a list, their own entries (add, change, delete) and the secret address of their
iCal feed (shown, reset). Plain HTML, no JavaScript: a month is one page, a day in the grid is a
link to its place in the list below."""

from __future__ import annotations

from datetime import timedelta
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sotay_plugins.registry import registry

from .. import ical, services
from ..forms import EntryForm

LIST_DAYS = 30
#: Monday first, as Vietnamese calendars are.
WEEKDAYS = [
    gettext_lazy("T2"),
    gettext_lazy("T3"),
    gettext_lazy("T4"),
    gettext_lazy("T5"),
    gettext_lazy("T6"),
    gettext_lazy("T7"),
    gettext_lazy("CN"),
]


def _member_or_404(request):
    member = services.current_member(request.user)
    if member is None:
        raise Http404
    return member


def _labels():
    return {s.key: s.label for s in registry.ordered_calendar_sources()}


def _by_day(events):
    labels = _labels()
    return [
        (day, [{"event": e, "label": labels.get(e.kind, "")} for e in group])
        for day, group in groupby(events, key=services.event_day)
    ]


@login_required
@require_GET
@never_cache
def month(request):
    member = services.current_member(request.user)
    today = timezone.localdate()
    year, number = services.parse_month(request.GET.get("thang"), today)
    first, following = services.month_bounds(year, number)
    found = services.events(request.user, first, following)
    counts = {}
    for event in found:
        day = services.event_day(event)
        counts[day] = counts.get(day, 0) + 1
    previous = first - timedelta(days=1)
    return render(
        request,
        "agenda/month.html",
        {
            "first": first,
            "weeks": services.month_grid(year, number, counts, today),
            "weekdays": WEEKDAYS,
            "days": _by_day(found),
            "previous": f"{previous.year:04d}-{previous.month:02d}",
            "next": f"{following.year:04d}-{following.month:02d}",
            "this_month": (year, number) == (today.year, today.month),
            "member": member,
        },
    )


@login_required
@require_GET
@never_cache
def upcoming(request):
    member = services.current_member(request.user)
    today = timezone.localdate()
    found = services.events(request.user, today, today + timedelta(days=LIST_DAYS))
    return render(
        request,
        "agenda/list.html",
        {
            "days": _by_day(found),
            "today": today,
            "until": today + timedelta(days=LIST_DAYS - 1),
            "member": member,
        },
    )


def _entry_page(request, form, entry=None, status=200):
    return render(request, "agenda/entry_form.html", {"form": form, "entry": entry}, status=status)


def _save(request, member, entry=None):
    form = EntryForm(request.POST)
    if not form.is_valid():
        return _entry_page(request, form, entry, status=400)
    try:
        saved = services.save_entry(member, entry=entry, **form.cleaned_data)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _entry_page(request, form, entry, status=400)
    messages.success(request, _("Đã lưu lịch “%(title)s”.") % {"title": saved.title})
    day = timezone.localtime(saved.starts_at)
    return redirect(f"{_month_url(day)}#d-{day:%Y-%m-%d}")


def _month_url(day):
    from django.urls import reverse

    return f"{reverse('agenda:month')}?thang={day:%Y-%m}"


@login_required
@require_http_methods(["GET", "POST"])
def entry_new(request):
    member = _member_or_404(request)
    if request.method == "POST":
        return _save(request, member)
    initial = {}
    day = request.GET.get("ngay", "")
    if len(day) == 10:
        initial["starts_at"] = f"{day}T08:00"
    return _entry_page(request, EntryForm(initial=initial))


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request, pk):
    member = _member_or_404(request)
    entry = get_object_or_404(services.own_entries(request.user), pk=pk)
    if request.method == "POST":
        return _save(request, member, entry)
    form = EntryForm(
        initial={
            "title": entry.title,
            "starts_at": timezone.localtime(entry.starts_at),
            "ends_at": timezone.localtime(entry.ends_at) if entry.ends_at else None,
            "place": entry.place,
            "note": entry.note,
        }
    )
    return _entry_page(request, form, entry)


@login_required
@require_POST
def entry_delete(request, pk):
    member = _member_or_404(request)
    entry = get_object_or_404(services.own_entries(request.user), pk=pk)
    day = timezone.localtime(entry.starts_at)
    services.delete_entry(member, entry)
    messages.success(request, _("Đã xóa lịch “%(title)s”.") % {"title": entry.title})
    return redirect(_month_url(day))


@login_required
@require_GET
@never_cache
def feed_settings(request):
    member = _member_or_404(request)
    token = services.feed_token(member)
    url = request.build_absolute_uri(services.feed_path(token))
    return render(
        request,
        "agenda/feed.html",
        {"feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]},
    )


@login_required
@require_POST
def feed_reset(request):
    member = _member_or_404(request)
    services.reset_feed(member)
    messages.success(
        request,
        _(
            "Đã đổi địa chỉ lịch. Địa chỉ cũ không dùng được nữa: xin đăng ký lại địa chỉ mới "
            "trên điện thoại."
        ),
    )
    return redirect("agenda:feed_settings")


@require_GET
def feed(request, token):
    """The iCal feed (no login: the secret address is the key). Anything wrong answers 404."""
    member = services.member_for_token(token)
    if member is None:
        raise Http404
    text = ical.calendar(
        services.feed_events(member),
        name=_("Lịch của %(name)s") % {"name": member.full_name},
        base_url=f"{request.scheme}://{request.get_host()}",
    )
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Content-Disposition"] = 'inline; filename="lich.ics"'
    return response
