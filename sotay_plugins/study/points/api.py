"""/api/v1/points/me/ (the caller's points) and /api/v1/leaderboards/ (the boards the caller may
see), both scoped through ``orgtree.scope`` and paginated."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.views import APIView

from sotay_plugins.api import Pagination
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.models import Organisation

from . import boards, services
from .models import BoardSummary, Period, PointLine


class LineSerializer(serializers.Serializer):
    """One ledger line: the rule (key and Vietnamese label), the points it gave, when, and what
    for. ``issuer_org`` is the cell (or, for an adjustment, the committee that made it);
    ``audience_org`` the member's cell."""

    rule = serializers.CharField()
    label = serializers.CharField()
    points = serializers.IntegerField()
    rule_points = serializers.IntegerField(help_text="The rule's points when the line was written.")
    capped = serializers.BooleanField()
    title = serializers.CharField(help_text="The source item's title, when known.")
    reason = serializers.CharField(help_text="An adjustment's reason.")
    at = serializers.DateTimeField()
    issuer_org = serializers.IntegerField()
    audience_org = serializers.IntegerField()


def _int_param(request, name, low, high):
    raw = request.query_params.get(name, "")
    if raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise exceptions.ValidationError(
            {
                name: [
                    _("Giá trị không hợp lệ: cần số nguyên từ %(low)s đến %(high)s.")
                    % {"low": low, "high": high}
                ]
            }
        )
    return int(raw)


class MyPointsView(APIView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description="Default: this year."),
            OpenApiParameter("page", OpenApiTypes.INT, description="A page number, from 1."),
        ],
        responses=inline_serializer(
            "MyPoints",
            {
                "year": serializers.IntegerField(),
                "total": serializers.IntegerField(),
                "target": serializers.IntegerField(),
                "progress": serializers.IntegerField(help_text="Percent of the target, ≤ 100."),
                "reached": serializers.BooleanField(),
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": LineSerializer(many=True),
            },
        ),
        description="The caller's points for the year: the total, the province's target and "
        "the ledger lines, newest first (`rule`, `points`, `at`…). 404 for an account that is "
        "not a member's.",
    )
    def get(self, request):
        this_year = timezone.localdate().year
        year = _int_param(request, "year", 2000, this_year + 1) or this_year
        member = scope.subject(request.user)
        if member is None:
            raise exceptions.NotFound(
                _("Tài khoản này không phải của đảng viên: không có điểm tích lũy.")
            )
        paginator = Pagination()
        queryset = PointLine.objects.filter(member_id=member.member_id, day__year=year).order_by(
            "-at", "-pk"
        )
        page = paginator.paginate_queryset(
            queryset.values(
                "rule",
                "points",
                "rule_points",
                "title",
                "reason",
                "source",
                "at",
                "issuer_org_id",
                "cell_id",
            ),
            request,
            view=self,
        )
        mine = services.my_points(request.user, year=year, per_page=0)
        response = paginator.get_paginated_response(
            LineSerializer([services.explain(row) for row in page], many=True).data
        )
        response.data = {
            "year": year,
            "total": mine.total,
            "target": mine.target,
            "progress": mine.progress,
            "reached": mine.reached,
            **response.data,
        }
        return response


class _Counted:
    """A board's rows for the paginator, with the count the refresh wrote (``BoardSummary``)
    instead of a COUNT over a province's 100,000 rows on every page, and pages read by
    position."""

    ordered = True

    def __init__(self, queryset, count):
        self.queryset, self._count = queryset, count

    def count(self):
        return self._count

    def __len__(self):
        return self._count

    def __getitem__(self, key):
        # Positions run 1…count without a gap (ROW_NUMBER): a page is a range of positions,
        # read through the board's index, never an OFFSET over the rows before it.
        if isinstance(key, slice) and key.step is None:
            return list(self.queryset.filter(position__gt=key.start or 0, position__lte=key.stop))
        return self.queryset[key]


class RowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    position = serializers.IntegerField()
    name = serializers.CharField(help_text="Initials only when the province hides names.")
    points = serializers.IntegerField()
    me = serializers.BooleanField()
    member = serializers.IntegerField(
        source="member_id", allow_null=True, help_text="Shown to staff and for the caller only."
    )


class RankSerializer(serializers.Serializer):
    level = serializers.CharField()
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField()
    rank = serializers.IntegerField()
    points = serializers.IntegerField()
    members = serializers.IntegerField(allow_null=True)


class LeaderboardsView(APIView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period", OpenApiTypes.STR, enum=["year", "month"], description="Default: year."
            ),
            OpenApiParameter(
                "unit",
                OpenApiTypes.INT,
                description="A unit whose board to list (staff: any unit of their subtree; a "
                "member: their own cell). Default: the caller's cell.",
            ),
            OpenApiParameter("page", OpenApiTypes.INT, description="A page number, from 1."),
        ],
        responses=inline_serializer(
            "Leaderboards",
            {
                "period": serializers.CharField(),
                "period_start": serializers.DateField(),
                "board": inline_serializer(
                    "Board",
                    {
                        "unit": serializers.IntegerField(),
                        "unit_name": serializers.CharField(),
                        "level": serializers.CharField(),
                        "members": serializers.IntegerField(allow_null=True),
                        "average": serializers.FloatField(allow_null=True),
                        "refreshed_at": serializers.DateTimeField(allow_null=True),
                        "names_hidden": serializers.BooleanField(),
                        "issuer_org": serializers.IntegerField(),
                        "audience_org": serializers.IntegerField(),
                    },
                ),
                "my_ranks": RankSerializer(many=True),
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": RowSerializer(many=True),
            },
        ),
        description="The boards the caller may see: their cell's board (rows paginated) and "
        "their own rank on the boards of their base organisation, district-level unit and "
        "province. Staff name a unit of their subtree with `unit`. Precomputed by a job.",
    )
    def get(self, request):
        period = request.query_params.get("period", Period.YEAR)
        if period not in Period.values:
            raise exceptions.ValidationError(
                {"period": [_("Kỳ xếp hạng phải là year (năm) hoặc month (tháng).")]}
            )
        unit_id = _int_param(request, "unit", 1, 2**62)
        member = scope.subject(request.user)
        if unit_id is None:
            if member is None:
                raise exceptions.ValidationError(
                    {"unit": [_("Tài khoản cán bộ cần chọn đơn vị để xem bảng xếp hạng.")]}
                )
            unit_id = member.cell_id
        unit = Organisation.objects.filter(pk=unit_id).first()
        if unit is None or not boards.may_see_board(request.user, unit):
            raise exceptions.NotFound(_("Không tìm thấy bảng xếp hạng của đơn vị này."))
        start = boards.periods()[period]
        summary = BoardSummary.objects.filter(unit=unit, period=period, period_start=start).first()
        paginator = Pagination()
        rows = boards.entries(unit, period, start)
        rows = paginator.paginate_queryset(
            _Counted(rows, summary.members) if summary else rows, request, view=self
        )
        hidden = boards.present(request.user, unit, rows)
        response = paginator.get_paginated_response(RowSerializer(rows, many=True).data)
        ranks = boards.own_ranks(member.member_id, period) if member is not None else []
        response.data = {
            "period": period,
            "period_start": start.isoformat(),
            "board": {
                "unit": unit.pk,
                "unit_name": unit.name,
                "level": boards.BOARD_KINDS.get(unit.kind, ""),
                "members": summary.members if summary else None,
                "average": summary.average if summary else None,
                "refreshed_at": summary.refreshed_at if summary else None,
                "names_hidden": hidden,
                "issuer_org": unit.pk,
                "audience_org": unit.pk,
            },
            "my_ranks": RankSerializer(ranks, many=True).data,
            **response.data,
        }
        return response
