"""Forms of the agenda plugin: the member's own entry and progress report (member shell, plain
HTML), and the assigner's task form (Wagtail admin, units cut by the scope engine). Every form
only reads input; the services check again and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateTimeInput

from sotay_plugins.members.models import Member
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.forms import OrgChoiceField, ScopedModelForm, org_chooser
from sotay_plugins.orgtree.models import Organisation

from .models import ASSIGN_TASK, Task

LOCAL_INPUT = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
ERRORS = {
    "required": _("Trường này là bắt buộc."),
    "invalid": _("Giá trị không hợp lệ."),
}
#: Above this many members in the assigner's units, members are named by CCCD (a text box)
#: instead of ticked in a list.
MEMBER_LIST_MAX = 200


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class EntryForm(forms.Form):
    title = forms.CharField(label=_("Tiêu đề"), max_length=200, error_messages=ERRORS)
    starts_at = forms.DateTimeField(
        label=_("Bắt đầu"),
        input_formats=LOCAL_INPUT,
        widget=LocalDateTimeInput(),
        error_messages=ERRORS,
    )
    ends_at = forms.DateTimeField(
        label=_("Kết thúc (có thể để trống)"),
        required=False,
        input_formats=LOCAL_INPUT,
        widget=LocalDateTimeInput(),
        error_messages=ERRORS,
    )
    place = forms.CharField(
        label=_("Địa điểm"), max_length=200, required=False, error_messages=ERRORS
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=ERRORS,
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end < start:
            self.add_error("ends_at", _("Giờ kết thúc phải sau giờ bắt đầu."))
        return data


class ProgressForm(forms.Form):
    percent = forms.IntegerField(
        label=_("Tiến độ (%)"),
        min_value=0,
        max_value=100,
        error_messages={
            **ERRORS,
            "min_value": _("Tiến độ là một số nguyên từ 0 đến 100."),
            "max_value": _("Tiến độ là một số nguyên từ 0 đến 100."),
        },
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=ERRORS,
    )
    file = forms.FileField(
        label=_("Tệp kèm theo (PDF, Word, Excel, ảnh JPG, PNG)"),
        required=False,
        error_messages=ERRORS,
    )


class TaskForm(ScopedModelForm):
    """Assign a task (admin): the assigner's unit, then members (ticked, or by CCCD when the
    units are large) and units of its subtree."""

    issuer_org = OrgChoiceField(queryset=Organisation.objects.none(), label=_("Đơn vị giao"))
    units = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=_("Giao cho đơn vị"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Cấp ủy, bí thư của đơn vị báo cáo tiến độ thay đơn vị."),
    )
    members = forms.ModelMultipleChoiceField(
        queryset=Member.objects.none(),
        required=False,
        label=_("Giao cho đảng viên"),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Task
        fields = ["issuer_org", "title", "description", "due_at"]
        widgets = {"due_at": AdminDateTimeInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = scope.managed_orgs(self.for_user, ASSIGN_TASK).filter(is_active=True)
        self.fields["issuer_org"].queryset = orgs
        self.fields["issuer_org"].widget = org_chooser(ASSIGN_TASK)
        if orgs.count() == 1:
            self.fields["issuer_org"].initial = orgs.first()
        self.fields["units"].queryset = orgs.order_by("tree_id", "lft")
        self.fields["units"].label_from_instance = lambda o: f"{o.code} — {o.name}"
        members = (
            Member.objects.filter(status="active")
            .filter(scope.within(list(orgs.values_list("tree_id", "lft", "rght")), "cell"))
            .select_related("cell")
            .order_by("cell__lft", "full_name")
        )
        if members.count() <= MEMBER_LIST_MAX:
            self.fields["members"].queryset = members
            self.fields["members"].label_from_instance = lambda m: f"{m.full_name} ({m.cell.name})"
        else:
            self.fields["members"] = forms.CharField(
                required=False,
                label=_("Giao cho đảng viên (số CCCD, mỗi dòng một người)"),
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            self._members_by_cccd = members
        self.fields["description"].widget = forms.Textarea(attrs={"rows": 5})
        self.fields["due_at"].help_text = _("Giờ Việt Nam, dd/mm/yyyy hh:mm.")

    def clean_members(self):
        value = self.cleaned_data.get("members")
        if not isinstance(value, str):
            return list(value or [])
        numbers = [line.strip() for line in value.splitlines() if line.strip()]
        found = list(self._members_by_cccd.filter(cccd__in=numbers))
        missing = sorted(set(numbers) - {m.cccd for m in found})
        if missing:
            raise forms.ValidationError(
                _("Không có đảng viên nào mang số CCCD %(numbers)s trong phạm vi của bạn.")
                % {"numbers": ", ".join(missing[:5])}
            )
        return found

    def service_fields(self):
        data = self.cleaned_data
        return {
            "issuer_org": data.get("issuer_org"),
            "title": data.get("title"),
            "description": data.get("description") or "",
            "due_at": data.get("due_at"),
            "members": data.get("members") or [],
            "units": data.get("units") or [],
        }


class ShellTaskForm(forms.Form):
    """Assign a task from the phone (a cell secretary): the unit, the task, the deadline, the
    members (ticked) and units of its subtree. The service checks the subtree again."""

    issuer_org = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Đơn vị giao"), error_messages=ERRORS
    )
    title = forms.CharField(label=_("Nhiệm vụ"), max_length=200, error_messages=ERRORS)
    description = forms.CharField(
        label=_("Nội dung, yêu cầu"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages=ERRORS,
    )
    due_at = forms.DateTimeField(
        label=_("Hạn hoàn thành"),
        input_formats=LOCAL_INPUT,
        widget=LocalDateTimeInput(),
        error_messages=ERRORS,
    )
    members = forms.ModelMultipleChoiceField(
        queryset=Member.objects.none(),
        required=False,
        label=_("Giao cho đảng viên"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={**ERRORS, "invalid_choice": _("Có đảng viên ngoài phạm vi của bạn.")},
    )
    units = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=_("Giao cho đơn vị"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={**ERRORS, "invalid_choice": _("Có đơn vị ngoài phạm vi của bạn.")},
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = (
            scope.managed_orgs(user, ASSIGN_TASK).filter(is_active=True).order_by("tree_id", "lft")
        )
        self.fields["issuer_org"].queryset = orgs
        self.fields["issuer_org"].label_from_instance = lambda o: o.name
        if len(orgs) == 1:
            self.fields["issuer_org"].initial = orgs[0].pk
        self.fields["units"].queryset = orgs
        self.fields["units"].label_from_instance = lambda o: o.name
        self.show_units = len(orgs) > 1
        members = (
            Member.objects.filter(status="active")
            .filter(scope.within(list(orgs.values_list("tree_id", "lft", "rght")), "cell"))
            .order_by("cell__lft", "full_name")
        )
        self.show_members = members.count() <= MEMBER_LIST_MAX
        self.fields["members"].queryset = members if self.show_members else Member.objects.none()
        self.fields["members"].label_from_instance = lambda m: m.full_name
