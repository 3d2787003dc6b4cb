"""The reports under /api/v1/reports/: the dashboard of a unit, the documents deployed to it with
their reading, and the members who never or rarely open documents, scoped to the units where the
caller holds ``reports.view_reports`` (an out-of-scope ``org`` answers 404), with the
dashboard's filters."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from sotay_plugins.registry import ITEM_ORDERS

from . import periods, services

FILTERS = [
    OpenApiParameter(
        "org", OpenApiTypes.INT, description="the unit (default: the top of my report scope)"
    ),
    OpenApiParameter(
        "from", OpenApiTypes.STR, description="YYYY-MM, first month (default: January)"
    ),
    OpenApiParameter("to", OpenApiTypes.STR, description="YYYY-MM, last month (default: now)"),
]


def _filters(params):
    try:
        start = periods.parse_month(params["from"], "from") if params.get("from") else None
        end = periods.parse_month(params["to"], "to") if params.get("to") else None
    except DjangoValidationError as exc:
        raise exceptions.ValidationError(exc.message_dict) from None
    org = params.get("org") or None
    if org is not None and not org.isdigit():
        raise exceptions.ValidationError({"org": [_("Mã đơn vị phải là số nguyên.")]})
    return (int(org) if org else None), start, end


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except services.NotInScope as exc:
        raise exceptions.NotFound(exc.message) from None
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(
            str(exc) or _("Bạn không có quyền xem báo cáo, thống kê.")
        ) from None
    except DjangoValidationError as exc:
        detail = {
            {"from": "from", "start": "from", "end": "to"}.get(k, k): v
            for k, v in exc.message_dict.items()
        }
        raise exceptions.ValidationError(detail) from None


class DashboardView(APIView):
    """Every figure of a unit for a span of months, by month, quarter or year: members (by
    criterion, changes), reading, meetings, study, feedback — from the stored roll-ups, with
    each unit directly under it (``children``, ``by_child``) to drill down."""

    @extend_schema(
        parameters=[
            *FILTERS,
            OpenApiParameter(
                "granularity",
                OpenApiTypes.STR,
                enum=list(periods.GRANULARITIES),
                description="month (default), quarter or year",
            ),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        org, start, end = _filters(request.query_params)
        granularity = request.query_params.get("granularity") or "month"
        report = _call(
            services.dashboard, request.user, org, start=start, end=end, granularity=granularity
        )
        return Response(report.as_dict())


class ReadersView(APIView):
    """Members under a unit who never (``which=never``) or rarely (``which=rarely``) opened a
    document in the span; paginated (``page``, 50 a page). ``columns=birth_date,phone`` adds
    personal data, refused (403) without the right to see it."""

    @extend_schema(
        parameters=[
            *FILTERS,
            OpenApiParameter("which", OpenApiTypes.STR, enum=["never", "rarely"]),
            OpenApiParameter(
                "columns", OpenApiTypes.STR, description="comma-separated: birth_date, phone"
            ),
            OpenApiParameter("page", OpenApiTypes.INT),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        params = request.query_params
        org, start, end = _filters(params)
        columns = [c.strip() for c in params.get("columns", "").split(",") if c.strip()]
        page = params.get("page") or "1"
        if not page.isdigit() or len(page) > 9:
            raise exceptions.ValidationError({"page": [_("Số trang phải là số nguyên.")]})
        result = _call(
            services.readers,
            request.user,
            org,
            start=start,
            end=end,
            which=params.get("which") or "never",
            columns=columns,
            page=int(page),
        )
        base = request.build_absolute_uri(request.path)
        query = params.copy()

        def link(n):
            query["page"] = n
            return f"{base}?{query.urlencode()}"

        return Response(
            {
                "count": result.count,
                "next": link(result.page + 1) if result.page < result.pages else None,
                "previous": link(result.page - 1) if result.page > 1 else None,
                "threshold": result.threshold,
                "results": result.rows,
            }
        )


class DocumentsView(APIView):
    """The documents deployed to a unit in the span (published to an audience that holds it or
    lies under it), each with the members under the unit who should read it (``expected``),
    those who opened it (``opened``) and the rate (%); sorted by ``order`` (published, title,
    expected, opened, rate; "-" first for descending; default ``-published``), paginated
    (``page``, 25 a page). From the stored figures, scoped like the dashboard."""

    @extend_schema(
        parameters=[
            *FILTERS,
            OpenApiParameter(
                "order",
                OpenApiTypes.STR,
                enum=[*ITEM_ORDERS, *(f"-{o}" for o in ITEM_ORDERS)],
                description="sort key, '-' first for descending (default -published)",
            ),
            OpenApiParameter("page", OpenApiTypes.INT),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        params = request.query_params
        org, start, end = _filters(params)
        page = params.get("page") or "1"
        if not page.isdigit() or len(page) > 9:
            raise exceptions.ValidationError({"page": [_("Số trang phải là số nguyên.")]})
        result = _call(
            services.documents,
            request.user,
            org,
            start=start,
            end=end,
            order=params.get("order") or "-published",
            page=int(page),
        )
        base = request.build_absolute_uri(request.path)
        query = params.copy()

        def link(n):
            query["page"] = n
            return f"{base}?{query.urlencode()}"

        return Response(
            {
                **result.as_dict(),
                "next": link(result.page + 1) if result.page < result.pages else None,
                "previous": link(result.page - 1) if result.page > 1 else None,
                "results": [
                    {
                        "id": row.id,
                        "title": row.title,
                        "number": row.number,
                        "published_at": row.published_at.isoformat() if row.published_at else None,
                        "issuer_org": row.issuer_org,
                        "audience_org": row.audience_org,
                        "expected": row.expected,
                        "opened": row.opened,
                        "rate": row.rate,
                    }
                    for row in result.rows
                ],
            }
        )
