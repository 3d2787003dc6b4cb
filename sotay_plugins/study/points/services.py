"""What the member's pages and the API show of a member's points (the ledger of the year)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Sum
from django.utils import timezone

from sotay_plugins.orgtree import scope

from . import boards, rules
from .models import PointLine

PER_PAGE = 30


@dataclass
class MyPoints:
    year: int
    total: int
    target: int
    lines: list
    count: int
    page: int
    pages: int

    @property
    def progress(self):
        """Percent of the target reached (at most 100)."""
        return min(100, round(100 * self.total / self.target)) if self.target else 100

    @property
    def missing(self):
        return max(0, self.target - self.total)

    @property
    def reached(self):
        return self.total >= self.target


def explain(line):
    """A ledger line in words: the rule's Vietnamese label and what it was for."""
    return {
        "rule": line["rule"],
        "label": str(rules.label_of(line["rule"])),
        "points": line["points"],
        "rule_points": line["rule_points"],
        "capped": line["points"] < line["rule_points"],
        "title": line["title"],
        "reason": line["reason"],
        "source": line["source"],
        "at": line["at"],
        "issuer_org": line["issuer_org_id"],
        "audience_org": line["cell_id"],
    }


def my_points(user, page=1, *, year=None, per_page=PER_PAGE):
    """The member's year (default this one): total, target, and one page of lines, newest first
    (two queries, plus the province's settings, kept in the cache). None for a non-member."""
    member = scope.subject(user)
    if member is None:
        return None
    year = year or timezone.localdate().year
    lines = PointLine.objects.filter(
        member_id=member.member_id, day__gte=date(year, 1, 1), day__lte=date(year, 12, 31)
    )
    figures = lines.aggregate(total=Sum("points"), count=Count("pk"))
    count = figures["count"] or 0
    pages = max(1, -(-count // per_page)) if per_page else 1
    page = min(max(1, page), pages)
    rows = (
        []
        if not per_page
        else [
            explain(row)
            for row in lines.order_by("-at", "-pk").values(
                "rule",
                "points",
                "rule_points",
                "title",
                "reason",
                "source",
                "at",
                "issuer_org_id",
                "cell_id",
            )[(page - 1) * per_page : page * per_page]
        ]
    )
    target = boards.settings_for(boards.province_of_tree(member.tree_id)).yearly_target
    return MyPoints(year, figures["total"] or 0, target, rows, count, page, pages)
