"""The forms of the member register in the admin: edit (personal fields only for those who may
see them), create (a cell among those the user manages), transfer, activation code.

Personal data (CCCD, birth date, addresses, phone) is shown and editable only with
``members.view_personal`` at the member's cell.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.widgets import AdminDateInput

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import OrgKind
from sotay_plugins.orgtree.forms import OrgChoiceField, ScopedModelForm, org_chooser
from sotay_plugins.orgtree.models import Organisation

from ..cccd import UniqueByService
from ..models import PERSONAL_FIELDS, Member, MemberStatus, MemberTransfer

VIEW_PERSONAL = "members.view_personal"


def can_view_personal(user, member):
    return scope.can(user, VIEW_PERSONAL, member)


def tree_order(queryset):
    return queryset.order_by("tree_id", "lft")


EDIT_FIELDS = [
    "full_name",
    "gender",
    "birth_date",
    "cccd",
    "home_town",
    "permanent_address",
    "phone",
    "party_card_no",
    "membership",
    "positions",
    "group",
    "has_smartphone",
    "joined_on",
    "official_on",
    "status",
]


class MemberEditForm(UniqueByService, ScopedModelForm):
    """The record's fields; the personal ones only for a user who may see them here."""

    class Meta:
        model = Member
        fields = EDIT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_view_personal(self.user, self.instance):
            for name in PERSONAL_FIELDS:
                self.fields.pop(name, None)


class MemberCreateForm(UniqueByService, ScopedModelForm):
    class Meta:
        model = Member
        fields = ["cell", *EDIT_FIELDS]
        field_classes = {"cell": OrgChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cell"].queryset = tree_order(
            scope.managed_orgs(self.user, "members.change_member").filter(
                kind=OrgKind.CELL, is_active=True
            )
        )
        self.fields["cell"].widget = org_chooser("members.change_member", [OrgKind.CELL])
        self.fields["status"].initial = MemberStatus.ACTIVE


class TransferForm(forms.Form):
    to_cell = OrgChoiceField(queryset=Organisation.objects.none(), label=gettext_lazy("Đến chi bộ"))
    kind = forms.ChoiceField(
        label=gettext_lazy("Hình thức"),
        choices=[
            (MemberTransfer.Kind.OFFICIAL, MemberTransfer.Kind.OFFICIAL.label),
            (MemberTransfer.Kind.TEMPORARY, MemberTransfer.Kind.TEMPORARY.label),
        ],
    )
    on = forms.DateField(
        label=gettext_lazy("Ngày chuyển"), widget=AdminDateInput, initial=timezone.localdate
    )
    until = forms.DateField(
        label=gettext_lazy("Đến ngày (chuyển tạm thời)"), widget=AdminDateInput, required=False
    )
    note = forms.CharField(
        label=gettext_lazy("Ghi chú (giấy giới thiệu số…)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, obj, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_cell"].queryset = tree_order(
            scope.managed_orgs(user, "members.transfer_member")
            .filter(kind=OrgKind.CELL, is_active=True)
            .exclude(pk=obj.cell_id)
        )
        self.fields["to_cell"].widget = org_chooser("members.transfer_member", [OrgKind.CELL])

    def clean(self):
        data = super().clean()
        if data.get("kind") == MemberTransfer.Kind.TEMPORARY and not data.get("until"):
            self.add_error("until", _("Chuyển sinh hoạt tạm thời cần có ngày kết thúc."))
        return data


class ActivationForm(forms.Form):
    def __init__(self, *args, user, obj, **kwargs):
        super().__init__(*args, **kwargs)
