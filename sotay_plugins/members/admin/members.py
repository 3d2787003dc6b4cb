"""Member records in the Wagtail admin (menu "Đảng viên"), filtered by the scope engine.

Listing, inspect and edit reach only members under a unit where the user holds the matching
capability (orgtree.admin.scoped.ScopePermissionPolicy, registered in MembersConfig.ready).
Elsewhere than where the user holds ``members.view_personal`` the CCCD is masked. Every opening
of a member's page is written to the audit log (services.log_view). Writes go through services.
"""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from wagtail.admin.ui.tables import Column

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.admin.scoped import (
    ObjectAction,
    ScopedCreateView,
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
    ScopedModelViewSet,
    ScopedObjectFormView,
)
from sotay_plugins.orgtree.choices import Position

from .. import services
from ..models import PERSONAL_FIELDS, Member
from .filters import MemberFilterSet
from .forms import (
    ActivationForm,
    MemberCreateForm,
    MemberEditForm,
    TransferForm,
    can_view_personal,
)

#: transfer and account buttons: the listing's row menu and the header of a member's pages
MEMBER_ACTIONS = (
    ObjectAction("transfer", gettext_lazy("Chuyển sinh hoạt"), "arrow-right-full", 40),
    ObjectAction("issue_activation", gettext_lazy("In mã kích hoạt"), "key", 41),
    ObjectAction("reset_account", gettext_lazy("Đặt lại tài khoản"), "key", 42),
)


class MemberIndexView(ScopedIndexView):
    object_actions = MEMBER_ACTIONS
    page_title = gettext_lazy("Đảng viên")
    search_fields = ["full_name", "party_record_no"]
    search_backend_name = None

    def get_listing_queryset(self, queryset):
        return queryset.select_related("cell", "user")  # "user": the account buttons

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return services.with_folded_name(queryset).filter(services.search_q(self.search_query))

    def order_queryset(self, queryset):
        if self.ordering:
            return queryset.order_by(self.ordering, "pk")
        return queryset.order_by("full_name", "pk")

    def get_valid_orderings(self):
        return ["full_name", "-full_name", "party_record_no", "-party_record_no"]

    @cached_property
    def columns(self):
        user = self.request.user

        def cccd(member):
            return member.cccd if can_view_personal(user, member) else member.cccd_masked

        def positions(member):
            labels = dict(Position.choices)
            return ", ".join(str(labels[code]) for code in sorted(member.positions))

        return [
            self.title_column("full_name", _("Họ và tên"), sort_key="full_name"),
            Column("party_record_no", label=_("Số lý lịch"), sort_key="party_record_no"),
            Column("cccd", label=_("Số CCCD"), accessor=cccd),
            Column("cell", label=_("Chi bộ"), accessor="cell.name"),
            Column("positions", label=_("Chức vụ"), accessor=positions),
            Column("group", label=_("Nhóm"), accessor="get_group_display"),
            Column("membership", label=_("Loại"), accessor="get_membership_display"),
            Column("status", label=_("Tình trạng"), accessor="get_status_display"),
        ]


class MemberCreateView(ScopedCreateView):
    page_title = gettext_lazy("Thêm đảng viên")

    def save_instance(self):
        data = {
            name: self.form.cleaned_data[name]
            for name in self.form.fields
            if name in self.form.cleaned_data
        }
        if not scope.can(self.request.user, "members.change_member", data["cell"]):
            raise forms.ValidationError({"cell": [_("Bạn không quản lý chi bộ này.")]})
        return services.create_member(actor=self.request.user, **data)

    def get_success_message(self, instance):
        return (
            _("Đã thêm đảng viên %(name)s (số lý lịch %(no)s).")
            % {
                "name": instance.full_name,
                "no": instance.party_record_no,
            }
            + " "
            + getattr(instance, "position_notice", "")
        )


class MemberEditView(ScopedEditView):
    object_actions = MEMBER_ACTIONS

    def get_queryset(self):
        return super().get_queryset().select_related("cell")

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        services.log_view(
            self.object, request.user, personal=can_view_personal(request.user, self.object)
        )
        return response

    def save_instance(self):
        fresh = Member.objects.select_related("cell").get(pk=self.object.pk)
        changes = {name: self.form.cleaned_data[name] for name in self.form.changed_data}
        member, _changed = services.update_member(fresh, changes, actor=self.request.user)
        return member

    def get_success_message(self):
        notice = getattr(self.object, "position_notice", "")
        return _("Đã lưu hồ sơ của %(name)s.") % {"name": self.object.full_name} + " " + notice

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["member_cell"] = self.object.cell
        return context


class MemberInspectView(ScopedInspectView):
    object_actions = MEMBER_ACTIONS

    @cached_property
    def personal(self):
        return can_view_personal(self.request.user, self.object)

    def get_fields(self):
        fields = [
            "full_name",
            "party_record_no",
            "cccd",
            "gender",
            "birth_date",
            "home_town",
            "permanent_address",
            "phone",
            "party_card_no",
            "cell",
            "membership",
            "positions",
            "group",
            "has_smartphone",
            "joined_on",
            "official_on",
            "status",
        ]
        return fields

    def get_fields_context(self):
        hidden = set(PERSONAL_FIELDS) - {"cccd"} if not self.personal else set()
        return [self.get_context_for_field(name) for name in self.fields if name not in hidden]

    def get_cccd_display_value(self):
        return self.object.cccd if self.personal else self.object.cccd_masked

    def get_positions_display_value(self):
        labels = dict(Position.choices)
        return ", ".join(str(labels[code]) for code in sorted(self.object.positions)) or "—"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        services.log_view(self.object, request.user, personal=self.personal)
        return response


class MemberActionView(ScopedObjectFormView):
    """An action on one member: its intro may name the member and their cell."""

    def get_intro_params(self):
        return {"name": self.object.full_name, "cell": self.object.cell.name}


class MemberTransferView(MemberActionView):
    action = "transfer"
    form_class = TransferForm
    page_title = gettext_lazy("Chuyển sinh hoạt đảng")
    submit_button_label = gettext_lazy("Chuyển sinh hoạt")
    header_icon = "arrow-right-full"
    intro = gettext_lazy(
        "Chuyển sinh hoạt của đồng chí %(name)s, hiện sinh hoạt tại %(cell)s. "
        "Chuyển chính thức sẽ cấp lại số lý lịch đảng viên theo mã đơn vị mới."
    )

    def perform(self, form):
        data = form.cleaned_data
        member = services.transfer_member(
            self.object,
            data["to_cell"],
            kind=data["kind"],
            on=data["on"],
            until=data.get("until"),
            note=data.get("note") or "",
            actor=self.request.user,
        )
        return (
            _("Đã chuyển sinh hoạt của %(name)s đến %(cell)s.")
            % {
                "name": member.full_name,
                "cell": data["to_cell"].name,
            }
            + " "
            + getattr(member, "position_notice", "")
        )


@method_decorator(never_cache, name="dispatch")
class MemberActivationView(MemberActionView):
    """Confirm, then issue a new one-time code and show it once on a printable slip."""

    action = "issue_activation"
    form_class = ActivationForm
    page_title = gettext_lazy("In mã kích hoạt")
    submit_button_label = gettext_lazy("Cấp mã và in phiếu")
    header_icon = "key"
    intro = gettext_lazy(
        "Cấp mã kích hoạt tài khoản cho đồng chí %(name)s (%(cell)s). "
        "Mã cũ chưa dùng sẽ hết hiệu lực; mã mới chỉ hiện một lần trên phiếu in."
    )

    def form_valid(self, form):
        code = services.issue_activation_code(self.object, actor=self.request.user)
        expires = (
            self.object.activation_codes.order_by("-created_at")
            .values_list("expires_at", flat=True)
            .first()
        )
        return render(
            self.request,
            "members/admin/activation_print.html",
            {
                "member": self.object,
                "code": f"{code[:4]} {code[4:]}",
                "expires_at": expires,
                "activate_url": self.request.build_absolute_uri(reverse("members:activate")),
                "back_url": reverse("members_member:index"),
            },
        )


class MemberResetView(MemberActivationView):
    """Reset an activated account (``members.reset_account``, audited), then print a new code."""

    action = "reset_account"
    page_title = gettext_lazy("Đặt lại tài khoản")
    submit_button_label = gettext_lazy("Đặt lại và in mã mới")
    intro = gettext_lazy(
        "Đặt lại tài khoản của đồng chí %(name)s (%(cell)s): mật khẩu, các phiên đăng nhập và "
        "mã xác thực ứng dụng hết hiệu lực ngay; đồng chí kích hoạt lại bằng mã mới in ra."
    )

    def form_valid(self, form):
        services.reset_account(self.object, actor=self.request.user)
        return super().form_valid(form)


class MemberViewSet(ScopedModelViewSet):
    model = Member
    name = "members_member"
    url_prefix = "dang-vien"
    icon = "group"
    menu_label = gettext_lazy("Đảng viên")
    menu_order = 210
    add_to_admin_menu = True
    inspect_view_enabled = True
    index_view_class = MemberIndexView
    add_view_class = MemberCreateView
    edit_view_class = MemberEditView
    inspect_view_class = MemberInspectView
    filterset_class = MemberFilterSet
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return MemberEditForm if for_update else MemberCreateForm

    object_action_views = (
        ("chuyen-sinh-hoat", MemberTransferView, "transfer"),
        ("ma-kich-hoat", MemberActivationView, "issue_activation"),
        ("dat-lai", MemberResetView, "reset_account"),
    )
