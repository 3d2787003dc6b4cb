"""The member's pages: "Điểm của tôi" (the year's total, the progress to the target, the ledger
line by line) and the boards (my cell's board; my rank in the base organisation, the
district-level unit and the province). Plain HTML: no JavaScript."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.models import Organisation

from . import boards, services
from .models import Period


def _page_number(request):
    raw = request.GET.get("trang", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 10**6 else 1


@login_required
@require_GET
def my_points(request):
    mine = services.my_points(request.user, _page_number(request))
    if mine is None:
        raise Http404(_("Tài khoản này không phải của đảng viên."))
    return render(request, "study/points/mine.html", {"mine": mine})


PERIOD_PARAM = {"nam": Period.YEAR, "thang": Period.MONTH}


@login_required
@require_GET
def leaderboards(request):
    member = scope.subject(request.user)
    if member is None:
        raise Http404(_("Tài khoản này không phải của đảng viên."))
    period = PERIOD_PARAM.get(request.GET.get("ky", "nam"), Period.YEAR)
    cell = Organisation.objects.only("pk", "name", "kind", "tree_id", "lft", "rght").get(
        pk=member.cell_id
    )
    offset = (_page_number(request) - 1) * BOARD_PAGE
    found = boards.board(request.user, cell, period, offset=offset, limit=BOARD_PAGE + 1)
    more = len(found.rows) > BOARD_PAGE
    found.rows = found.rows[:BOARD_PAGE]
    return render(
        request,
        "study/points/boards.html",
        {
            "board": found,
            "ranks": [r for r in boards.own_ranks(member.member_id, period) if r.level != "cell"],
            "period": period,
            "page": offset // BOARD_PAGE + 1,
            "more": more,
        },
    )


BOARD_PAGE = 50
