"""The points in the Wagtail admin ("Điểm tích lũy" menu), every screen scoped by
``orgtree.scope``:

- the rules in effect (read-only: what plugins registered, and the province's own points and
  caps where it set them);
- the ledger of one member (search among the members of the user's subtree; a member outside
  it answers 404);
- a manual adjustment (``study.adjust_points`` over the member's cell; a reason is required);
- the boards of the units of the user's subtree, for the month and the year;
- the province's settings (yearly target, hidden names) and its rule overrides
  (``study.manage_points`` held at the province).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem, SubmenuMenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from sotay_plugins.members.models import Member
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import OrgKind
from sotay_plugins.orgtree.models import Organisation
from sotay_plugins.text import fold

from . import boards, ledger, rules, services
from .models import (
    ADJUST_POINTS,
    MANAGE_POINTS,
    VIEW_POINTS,
    Period,
    PointLine,
    PointSettings,
    RuleOverride,
)

PER_PAGE = 50


class AdminPage(WagtailAdminTemplateMixin, TemplateView):
    capability = VIEW_POINTS
    header_icon = "pick"

    def dispatch(self, request, *args, **kwargs):
        if not scope.can(request.user, self.capability):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return []


def _page(request):
    raw = request.GET.get("trang", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 10**6 else 1


def _provinces(user, capability):
    return scope.managed_orgs(user, capability).filter(kind=OrgKind.PROVINCE).order_by("code")


# --- rules ---------------------------------------------------------------------------------


class RulesView(AdminPage):
    template_name = "study/points/admin/rules.html"
    page_title = gettext_lazy("Quy tắc tính điểm")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        grants_trees = {g.tree_id for g in scope.grants(self.request.user) if g.allows(VIEW_POINTS)}
        provinces = list(
            Organisation.objects.filter(parent__isnull=True, kind=OrgKind.PROVINCE)
            .filter(
                Q(tree_id__in=grants_trees) if not scope.is_superadmin(self.request.user) else Q()
            )
            .order_by("code")
        )
        context["tables"] = [
            (province, rules.in_effect(province.pk), boards.settings_for(province.pk))
            for province in provinces
        ]
        context["defaults"] = rules.in_effect(None)
        context["may_manage"] = {p.pk for p in _provinces(self.request.user, MANAGE_POINTS)}
        return context


# --- one member's ledger ---------------------------------------------------------------------


def _members(user):
    """Members of the cells under the units where the user holds ``study.view_points``."""
    if scope.is_superadmin(user):
        return Member.objects.all()
    ranges = scope.managed_ranges(user, VIEW_POINTS)
    return Member.objects.filter(scope.within(ranges, "cell")) if ranges else Member.objects.none()


class LedgerSearchView(AdminPage):
    template_name = "study/points/admin/search.html"
    page_title = gettext_lazy("Sổ điểm của đảng viên")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        q = " ".join(self.request.GET.get("q", "").split())[:100]
        found = []
        if q:
            members = _members(self.request.user).select_related("cell")
            if q.isdigit():
                members = members.filter(Q(cccd=q) | Q(party_record_no__contains=q))
            else:
                members = members.filter(full_name__icontains=q)
                if not members.exists():
                    folded = fold(q)
                    members = _members(self.request.user).select_related("cell")
                    found = [
                        m
                        for m in members.only("pk", "full_name", "cell__name")[:2000]
                        if folded in fold(m.full_name)
                    ][:50]
            if not found:
                found = list(members.order_by("full_name", "pk")[:50])
        context.update(q=q, found=found)
        return context


class MemberLedgerView(AdminPage):
    template_name = "study/points/admin/ledger.html"
    page_title = gettext_lazy("Sổ điểm")

    def dispatch(self, request, pk):
        self.member = get_object_or_404(_members(request.user).select_related("cell"), pk=pk)
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return self.member.full_name

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = boards.periods()[Period.YEAR].year
        lines = PointLine.objects.filter(member=self.member, day__year=year).order_by("-at", "-pk")
        page = _page(self.request)
        rows = [
            services.explain(row)
            for row in lines.values(
                "rule",
                "points",
                "rule_points",
                "title",
                "reason",
                "source",
                "at",
                "issuer_org_id",
                "cell_id",
            )[(page - 1) * PER_PAGE : page * PER_PAGE + 1]
        ]
        context.update(
            member=self.member,
            year=year,
            total=sum(lines.values_list("points", flat=True)),
            rows=rows[:PER_PAGE],
            page=page,
            more=len(rows) > PER_PAGE,
            may_adjust=scope.can(self.request.user, ADJUST_POINTS, self.member.cell),
        )
        return context


# --- adjustments ---------------------------------------------------------------------------


class AdjustmentForm(forms.Form):
    points = forms.IntegerField(
        label=gettext_lazy("Số điểm (âm để trừ)"),
        min_value=-ledger.MAX_ADJUSTMENT,
        max_value=ledger.MAX_ADJUSTMENT,
    )
    reason = forms.CharField(label=gettext_lazy("Lý do"), max_length=255)


class AdjustView(AdminPage):
    template_name = "study/points/admin/adjust.html"
    page_title = gettext_lazy("Điều chỉnh điểm")
    capability = ADJUST_POINTS

    def dispatch(self, request, pk):
        if not scope.can(request.user, ADJUST_POINTS):
            raise Http404
        self.member = get_object_or_404(
            ledger.adjustable_members(request.user).select_related("cell"), pk=pk
        )
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return self.member.full_name

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", AdjustmentForm())
        context["member"] = self.member
        return context

    def post(self, request, pk):
        form = AdjustmentForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    ledger.adjust(
                        request.user,
                        self.member,
                        form.cleaned_data["points"],
                        form.cleaned_data["reason"],
                    )
            except ValidationError as exc:
                form.add_error(
                    "reason" if getattr(exc, "code", "") == "reason" else None, exc.messages
                )
            else:
                messages.success(
                    request,
                    _("Đã ghi điều chỉnh %(points)+d điểm cho đồng chí %(name)s.")
                    % {"points": form.cleaned_data["points"], "name": self.member.full_name},
                )
                return redirect(reverse("points_admin:ledger", args=[self.member.pk]))
        messages.error(request, _("Chưa thực hiện được: vui lòng xem lỗi bên dưới."))
        return self.render_to_response(self.get_context_data(form=form))


# --- boards ----------------------------------------------------------------------------------


class BoardForm(forms.Form):
    unit = forms.TypedChoiceField(
        label=gettext_lazy("Đơn vị"), coerce=int, required=False, empty_value=None
    )
    period = forms.ChoiceField(
        label=gettext_lazy("Kỳ"), choices=Period.choices, required=False, initial=Period.YEAR
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [
            (u.pk, f"{'— ' * u.level}{u.code} · {u.name}") for u in units
        ]
        self.fields["unit"].error_messages["invalid_choice"] = _(
            "Đơn vị này nằm ngoài phạm vi của bạn."
        )


#: At most this many units in the unit picker (the levels above cells first).
MAX_UNITS = 2000


class BoardsView(AdminPage):
    template_name = "study/points/admin/boards.html"
    page_title = gettext_lazy("Bảng xếp hạng")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        units = list(
            boards.viewable_units(self.request.user)
            .exclude(kind=OrgKind.CELL)
            .order_by("tree_id", "lft")
            .only("pk", "code", "name", "level", "kind", "tree_id", "lft", "rght")[:MAX_UNITS]
        )
        form = BoardForm(self.request.GET or None, units=units)
        board = None
        unit_id = None
        period = Period.YEAR
        if self.request.GET and form.is_valid():
            unit_id = form.cleaned_data["unit"]
            period = form.cleaned_data["period"] or Period.YEAR
        cell_id = self.request.GET.get("chi_bo", "")
        if cell_id.isdigit():
            unit_id = int(cell_id)
        if unit_id is None and units:
            unit_id = units[0].pk
        if unit_id is not None:
            unit = Organisation.objects.filter(pk=unit_id).first()
            if unit is not None and scope.can(self.request.user, VIEW_POINTS, unit):
                page = _page(self.request)
                board = boards.board(
                    self.request.user,
                    unit,
                    period,
                    offset=(page - 1) * PER_PAGE,
                    limit=PER_PAGE + 1,
                )
                context["more"] = len(board.rows) > PER_PAGE
                board.rows = board.rows[:PER_PAGE]
                context["page"] = page
                context["children"] = list(
                    unit.get_children().filter(is_active=True).order_by("code")[:200]
                )
            elif unit is not None or cell_id:
                raise Http404
        context.update(form=form, board=board, period=period)
        return context


# --- the province's settings -------------------------------------------------------------


class SettingsForm(forms.Form):
    yearly_target = forms.IntegerField(
        label=gettext_lazy("Chỉ tiêu điểm mỗi năm"), min_value=1, max_value=100000
    )
    hide_names = forms.BooleanField(label=gettext_lazy("Ẩn tên trên bảng xếp hạng"), required=False)


def _rule_fields(form, current):
    for rule in current:
        form.fields[f"{rule.key}__points"] = forms.IntegerField(
            label=rule.label, min_value=1, max_value=10000, initial=rule.points
        )
        form.fields[f"{rule.key}__day"] = forms.IntegerField(
            label=_("tối đa mỗi ngày"),
            min_value=1,
            max_value=100000,
            required=False,
            initial=rule.cap_per_day,
        )
        form.fields[f"{rule.key}__item"] = forms.IntegerField(
            label=_("tối đa mỗi nội dung"),
            min_value=1,
            max_value=100000,
            required=False,
            initial=rule.cap_per_item,
        )
        form.fields[f"{rule.key}__active"] = forms.BooleanField(
            label=_("áp dụng"), required=False, initial=rule.active
        )


class SettingsView(AdminPage):
    template_name = "study/points/admin/settings.html"
    page_title = gettext_lazy("Cài đặt điểm tích lũy của tỉnh")
    capability = MANAGE_POINTS

    def dispatch(self, request, pk):
        if not scope.can(request.user, MANAGE_POINTS):
            raise Http404
        self.province = get_object_or_404(_provinces(request.user, MANAGE_POINTS), pk=pk)
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return self.province.name

    def _form(self, data=None):
        current = rules.in_effect(self.province.pk)
        settings = boards.settings_for(self.province.pk)
        form = SettingsForm(
            data,
            initial={"yearly_target": settings.yearly_target, "hide_names": settings.hide_names},
        )
        _rule_fields(form, current)
        return form, current

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, current = kwargs.get("form_and_rules") or self._form()
        context.update(
            form=form,
            province=self.province,
            rule_rows=[
                (
                    rule,
                    [form[f"{rule.key}__{part}"] for part in ("points", "day", "item", "active")],
                )
                for rule in current
            ],
        )
        return context

    def post(self, request, pk):
        form, current = self._form(request.POST)
        if not form.is_valid():
            messages.error(request, _("Chưa lưu được: vui lòng xem lỗi bên dưới."))
            return self.render_to_response(self.get_context_data(form_and_rules=(form, current)))
        data = form.cleaned_data
        with transaction.atomic():
            PointSettings.objects.update_or_create(
                province=self.province,
                defaults={"yearly_target": data["yearly_target"], "hide_names": data["hide_names"]},
            )
            for rule in current:
                registered = rules.effective(rule.key, None)
                values = {
                    "points": data[f"{rule.key}__points"],
                    "cap_per_day": data[f"{rule.key}__day"],
                    "cap_per_item": data[f"{rule.key}__item"],
                    "active": data[f"{rule.key}__active"],
                }
                same = (
                    values["points"] == registered.points
                    and values["cap_per_day"] == registered.cap_per_day
                    and values["cap_per_item"] == registered.cap_per_item
                    and values["active"]
                )
                if same:
                    RuleOverride.objects.filter(province=self.province, rule=rule.key).delete()
                else:
                    RuleOverride.objects.update_or_create(
                        province=self.province, rule=rule.key, defaults=values
                    )
            boards.settings_changed(self.province.pk)
        messages.success(
            request,
            _(
                "Đã lưu cài đặt điểm tích lũy. Điểm đã ghi trước đây giữ nguyên; bảng xếp hạng "
                "tính lại ở lần cập nhật tới."
            ),
        )
        ledger.request_refresh(self.province.pk, force=True)
        return redirect(reverse("points_admin:rules"))


urlpatterns = [
    path("diem-tich-luy/quy-tac/", RulesView.as_view(), name="rules"),
    path("diem-tich-luy/so-diem/", LedgerSearchView.as_view(), name="search"),
    path("diem-tich-luy/so-diem/<int:pk>/", MemberLedgerView.as_view(), name="ledger"),
    path("diem-tich-luy/dieu-chinh/<int:pk>/", AdjustView.as_view(), name="adjust"),
    path("diem-tich-luy/xep-hang/", BoardsView.as_view(), name="boards"),
    path("diem-tich-luy/cai-dat/<int:pk>/", SettingsView.as_view(), name="settings"),
]


class PointsMenuItem(MenuItem):
    def is_shown(self, request):
        return scope.can(request.user, VIEW_POINTS)


class PointsSubmenu(SubmenuMenuItem):
    def is_shown(self, request):
        return scope.can(request.user, VIEW_POINTS)
