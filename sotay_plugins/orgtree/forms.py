"""Admin forms of the organisation tree. Every choice list of units, roles or bodies is cut to
what the scope engine lets the user act on; the services re-check and raise in Vietnamese."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import BooleanRadioSelect

from sotay_plugins.authentication import normalise_username

from . import permissions, scope
from .admin.scoped import policy_for
from .choices import OrgKind
from .models import AdvisoryBody, Organisation, Role, RoleAssignment

MANAGE_TREE = "orgtree.manage_tree"
ASSIGN_ROLES = "orgtree.assign_roles"


def org_chooser(capability, kinds=()):
    """The scoped organisation chooser widget (a modal instead of a long select)."""
    from .admin.chooser import OrganisationChooser  # it lives with the chooser views it opens

    return OrganisationChooser(capability=capability, kinds=kinds)


NON_CELL_KINDS = [kind for kind in OrgKind.values if kind != OrgKind.CELL]


class OrgChoiceField(forms.ModelChoiceField):
    """Units shown as "code — name", in tree order."""

    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name}"


class ScopedModelForm(WagtailAdminModelForm):
    """A Wagtail admin model form that knows its user (``self.for_user``) and never fails with
    a ValueError when a model's ``clean()`` names a field the form does not show."""

    def add_error(self, field, error):
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                target = name if name in self.fields or name == NON_FIELD_ERRORS else None
                for item in errors:
                    super().add_error(target, item)
            return
        if field is not None and field != NON_FIELD_ERRORS and field not in self.fields:
            field = None
        super().add_error(field, error)

    @property
    def user(self):
        return self.for_user


def _tree_order(queryset):
    return queryset.order_by("tree_id", "lft")


def _parent_choices(user):
    """Units that may take others under them: active, not cells, managed by ``user``."""
    return scope.managed_orgs(user, MANAGE_TREE).filter(is_active=True).exclude(kind=OrgKind.CELL)


def _decision_note():
    """The note of a restructuring (move, merge, dissolve): the decision's number and date."""
    return forms.CharField(
        label=gettext_lazy("Ghi chú (quyết định số…)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SubtreeFilter(django_filters.ModelChoiceFilter):
    """A listing filter by unit: keeps what lies in the picked unit's subtree, reached from the
    filtered model through ``prefix`` (``scope.within``; ``""`` for units themselves). The filter
    set gives it the units the user may pick (``queryset``) per request."""

    field_class = OrgChoiceField

    def __init__(self, *args, prefix="", **kwargs):
        kwargs.setdefault("queryset", Organisation.objects.none())
        kwargs.setdefault("empty_label", gettext_lazy("Tất cả"))
        super().__init__(*args, **kwargs)
        self.prefix = prefix

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(scope.within(value, self.prefix))


# --- organisations ---------------------------------------------------------------------------


class OrganisationCreateForm(ScopedModelForm):
    class Meta:
        model = Organisation
        fields = ["parent", "name", "short_name", "code", "kind", "founded_on"]
        field_classes = {"parent": OrgChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = _tree_order(_parent_choices(self.user))
        self.fields["parent"].widget = org_chooser(MANAGE_TREE, NON_CELL_KINDS)
        # Only a superuser founds a new province (a unit with no parent).
        self.fields["parent"].required = not scope.is_superadmin(self.user)

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent is not None and not scope.can(self.user, MANAGE_TREE, parent):
            raise ValidationError(_("Bạn không quản lý tổ chức %(org)s.") % {"org": parent.name})
        return parent


class OrganisationEditForm(ScopedModelForm):
    """Name and founding date only: a new parent is a move, a new code or kind a re-founding."""

    class Meta:
        model = Organisation
        fields = ["name", "short_name", "founded_on"]


class MoveForm(forms.Form):
    new_parent = OrgChoiceField(
        queryset=Organisation.objects.none(), label=gettext_lazy("Cấp trên mới")
    )
    note = _decision_note()

    def __init__(self, *args, user, obj, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = _tree_order(
            _parent_choices(user).exclude(pk=obj.parent_id)
        )
        self.fields["new_parent"].widget = org_chooser(MANAGE_TREE, NON_CELL_KINDS)


class MergeForm(forms.Form):
    target = OrgChoiceField(
        queryset=Organisation.objects.none(), label=gettext_lazy("Sáp nhập vào")
    )
    note = _decision_note()

    def __init__(self, *args, user, obj, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = _tree_order(
            scope.managed_orgs(user, MANAGE_TREE)
            .filter(is_active=True, kind=obj.kind)
            .exclude(pk=obj.pk)
        )
        self.fields["target"].widget = org_chooser(MANAGE_TREE, [obj.kind])


class DissolveForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("Tôi xác nhận giải thể tổ chức này"), required=True
    )
    note = _decision_note()

    def __init__(self, *args, user, obj, **kwargs):
        super().__init__(*args, **kwargs)


class OrganisationFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Loại"), choices=OrgKind.choices, empty_label=gettext_lazy("Tất cả")
    )
    is_active = django_filters.BooleanFilter(
        label=gettext_lazy("Đang hoạt động"), widget=BooleanRadioSelect
    )
    within = SubtreeFilter(label=gettext_lazy("Thuộc đơn vị"))

    class Meta:
        model = Organisation
        fields = ["kind", "is_active", "within"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user if request else None
        self.filters["within"].queryset = _tree_order(
            policy_for(Organisation)
            .instances_user_has_any_permission_for(user, ["view", "change"])
            .exclude(kind=OrgKind.CELL)
        )


# --- advisory bodies -------------------------------------------------------------------------


class AdvisoryBodyForm(ScopedModelForm):
    class Meta:
        model = AdvisoryBody
        fields = ["org", "kind", "name", "is_active"]
        field_classes = {"org": OrgChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = _tree_order(
            scope.managed_orgs(self.user, MANAGE_TREE)
            .filter(is_active=True)
            .exclude(kind=OrgKind.CELL)
        )
        self.fields["org"].widget = org_chooser(MANAGE_TREE, NON_CELL_KINDS)


# --- role assignments ------------------------------------------------------------------------


class RoleAssignmentCreateForm(ScopedModelForm):
    username = forms.CharField(
        label=gettext_lazy("Tài khoản"),
        max_length=150,
        help_text=gettext_lazy("Tên đăng nhập; với đảng viên là số CCCD."),
    )

    class Meta:
        model = RoleAssignment
        fields = ["role", "org", "advisory_body", "valid_from", "valid_until"]
        field_classes = {"org": OrgChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["username", "role", "org", "advisory_body", "valid_from", "valid_until"])
        orgs = scope.managed_orgs(self.user, ASSIGN_ROLES).filter(is_active=True)
        self.fields["role"].queryset = permissions.grantable_roles(self.user)
        self.fields["org"].queryset = _tree_order(orgs)
        self.fields["org"].widget = org_chooser(ASSIGN_ROLES)
        self.fields["advisory_body"].queryset = (
            AdvisoryBody.objects.filter(org__in=orgs.values("pk"), is_active=True)
            .select_related("org")
            .order_by("name")
        )

    def clean_username(self):
        username = normalise_username(self.cleaned_data["username"])
        user = get_user_model().objects.filter(username=username).first()
        if user is None or not permissions.account_in_reach(self.user, user):  # one answer
            raise ValidationError(
                _("Không tìm thấy tài khoản “%(username)s”.") % {"username": username}
            )
        self.instance.user = user
        return username

    def clean(self):
        data = super().clean()
        role, org = data.get("role"), data.get("org")
        if role is None or org is None:
            return data
        if not permissions.may_grant(self.user, role, org):
            raise ValidationError(
                _("Bạn không được giao vai trò %(role)s tại %(org)s.")
                % {"role": role.name, "org": org.name}
            )
        if (
            self.instance.user_id
            and RoleAssignment.objects.filter(
                user_id=self.instance.user_id,
                role=role,
                org=org,
                advisory_body=data.get("advisory_body"),
            ).exists()
        ):
            raise ValidationError(
                _("Tài khoản này đã có vai trò %(role)s tại %(org)s.")
                % {"role": role.name, "org": org.name}
            )
        return data

    def save_assignment(self, *, granted_by):
        return permissions.grant_role(self.instance, granted_by=granted_by)


class RoleAssignmentEditForm(ScopedModelForm):
    """Only the validity dates change; a different role or unit is a new assignment."""

    class Meta:
        model = RoleAssignment
        fields = ["valid_from", "valid_until"]

    def clean(self):
        data = super().clean()
        if not permissions.may_grant(self.user, self.instance.role, self.instance.org):
            raise ValidationError(
                _("Bạn không được giao vai trò %(role)s tại %(org)s.")
                % {"role": self.instance.role.name, "org": self.instance.org.name}
            )
        return data


class RoleAssignmentFilterSet(WagtailFilterSet):
    role = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Vai trò"),
        queryset=Role.objects.order_by("name"),
        empty_label=gettext_lazy("Tất cả"),
    )
    within = SubtreeFilter(label=gettext_lazy("Thuộc đơn vị"), prefix="org")

    class Meta:
        model = RoleAssignment
        fields = ["role", "within"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user if request else None
        self.filters["within"].queryset = _tree_order(
            scope.managed_orgs(user, ASSIGN_ROLES).exclude(kind=OrgKind.CELL)
        )
