"""Admin forms of the meetings part: convene, edit, minutes, approve, cancel, and the listing's
filters. Every choice list is cut by the scope engine; the services check again."""

from __future__ import annotations

from datetime import date, datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.widgets import AdminDateTimeInput

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import OrgKind
from sotay_plugins.orgtree.forms import OrgChoiceField, ScopedModelForm, SubtreeFilter, org_chooser
from sotay_plugins.orgtree.models import Organisation

from . import services
from .models import CONVENE, VIEW_MEETING, Meeting

#: Beyond this many candidate members the chair/recorder lists are left to the edit page,
#: where they are the meeting's own cell.
MAX_PEOPLE_CHOICES = 400
#: The fields a secretary sets, in the order the forms show them: the service's own list.
FORM_FIELDS = list(services.EDITABLE_FIELDS)
MODEL_FIELDS = [name for name in FORM_FIELDS if name != "online_link"]


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} — {obj.cell.name}"


def _people(cells):
    """Candidates for chair and recorder: the expected members of ``cells``."""
    return (
        services.expected_members_in(cells)
        .select_related("cell")
        .order_by("cell__lft", "full_name")
    )


class MeetingForm(ScopedModelForm):
    """What convening and editing share: the fields, their widgets and help, the people lists."""

    #: Declared here (not generated from the model) to give https as the scheme of a bare address.
    online_link = forms.URLField(
        label=gettext_lazy("đường dẫn họp trực tuyến"),
        required=False,
        max_length=200,
        assume_scheme="https",
    )

    def _setup_common(self):
        if self.instance.pk:
            self.fields["online_link"].initial = self.instance.online_link
        for name in ("starts_at", "ends_at"):
            self.fields[name].widget = AdminDateTimeInput()
        self.fields["starts_at"].help_text = _("Ngày giờ theo giờ Việt Nam, dạng dd/mm/yyyy hh:mm.")
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Để trống: tự đặt theo loại và tháng sinh hoạt.")
        for name in ("agenda", "content", "draft_resolution"):
            self.fields[name].widget = forms.Textarea(attrs={"rows": 6})

    class Meta:
        model = Meeting
        fields = MODEL_FIELDS
        field_classes = {"chair": MemberChoiceField, "recorder": MemberChoiceField}

    def _set_people(self, people):
        self.fields["chair"].queryset = self.fields["recorder"].queryset = people

    def service_fields(self, names):
        return {name: self.cleaned_data.get(name) for name in names if name in self.fields}


class MeetingCreateForm(MeetingForm):
    """Convene: the cell is one of those where the user holds ``meetings.convene``."""

    cell = OrgChoiceField(queryset=Organisation.objects.none(), label=gettext_lazy("Chi bộ"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["cell", *FORM_FIELDS])
        cells = services.convenable_cells(self.user)
        self.fields["cell"].queryset = cells
        self.fields["cell"].widget = org_chooser(CONVENE, [OrgKind.CELL])
        people = _people(cells)
        if cells.count() == 1:
            self.fields["cell"].initial = cells.first()
        if people.count() > MAX_PEOPLE_CHOICES:
            del self.fields["chair"], self.fields["recorder"]
        else:
            self._set_people(people)
        self._setup_common()

    def clean_cell(self):
        cell = self.cleaned_data.get("cell")
        if cell is not None and not scope.can(self.user, CONVENE, cell):
            raise forms.ValidationError(_("Bạn không được triệu tập sinh hoạt của chi bộ này."))
        return cell


class MeetingEditForm(MeetingForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_people(_people([self.instance.audience_org_id]))
        self._setup_common()


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=gettext_lazy("Biên bản"),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=services.TEXT_LIMITS["minutes"],
    )
    resolution = forms.CharField(
        label=gettext_lazy("Nghị quyết của chi bộ"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=services.TEXT_LIMITS["resolution"],
    )

    def __init__(self, *args, user, obj, **kwargs):
        kwargs.setdefault("initial", {"minutes": obj.minutes, "resolution": obj.resolution})
        super().__init__(*args, **kwargs)


class ConfirmForm(forms.Form):
    def __init__(self, *args, user, obj, **kwargs):
        super().__init__(*args, **kwargs)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do hủy (gửi đến đảng viên)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, obj, **kwargs):
        super().__init__(*args, **kwargs)


# --- listing filters ---------------------------------------------------------------------


def month_choices(today=None):
    """From twelve months back to three ahead, newest first: ("2026-03", "03/2026")."""
    today = today or timezone.localdate()
    choices = []
    for offset in range(3, -13, -1):
        index = today.year * 12 + today.month - 1 + offset
        first = date(index // 12, index % 12 + 1, 1)
        choices.append((f"{first:%Y-%m}", f"{first:%m/%Y}"))
    return choices


class MeetingFilterSet(WagtailFilterSet):
    #: any unit in the user's scope: the meetings of its whole subtree
    unit = SubtreeFilter(label=gettext_lazy("Đơn vị"), prefix="audience_org")
    month = django_filters.ChoiceFilter(
        label=gettext_lazy("Tháng"),
        choices=month_choices,
        method="filter_month",
        empty_label=gettext_lazy("Tất cả"),
    )
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Loại"), choices=Meeting.Kind.choices, empty_label=gettext_lazy("Tất cả")
    )
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("Trạng thái"),
        choices=Meeting.State.choices,
        empty_label=gettext_lazy("Tất cả"),
    )

    class Meta:
        model = Meeting
        fields = ["unit", "month", "kind", "state"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user if request else None
        managed = scope.managed_orgs(user, VIEW_MEETING) | scope.managed_orgs(user, CONVENE)
        self.filters["unit"].queryset = managed.order_by("tree_id", "lft")

    def filter_month(self, queryset, name, value):
        if not value:
            return queryset
        return services.in_month(queryset, *services.parse_month(value))


# --- the secretary's forms in the member shell (plain HTML controls, no JavaScript) ----------


def _textarea(rows):
    return forms.Textarea(attrs={"rows": rows})


class SecretaryMeetingForm(forms.Form):
    """Convene or edit from the phone: the day, the start and end times as the phone's own date
    and time pickers, the place, the people of the cell, the agenda. The services check it all
    again (their errors land on these fields)."""

    kind = forms.ChoiceField(label=gettext_lazy("Loại sinh hoạt"), choices=Meeting.Kind.choices)
    title = forms.CharField(
        label=gettext_lazy("Tiêu đề"),
        required=False,
        max_length=services.TEXT_LIMITS["title"],
        help_text=gettext_lazy("Để trống: tự đặt theo loại và tháng sinh hoạt."),
    )
    #: The phone's own pickers send ISO dates and 24-hour times whatever its language.
    day = forms.DateField(
        label=gettext_lazy("Ngày họp"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    start = forms.TimeField(
        label=gettext_lazy("Giờ bắt đầu"),
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    end = forms.TimeField(
        label=gettext_lazy("Giờ kết thúc"),
        required=False,
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    place = forms.CharField(
        label=gettext_lazy("Địa điểm"), required=False, max_length=services.TEXT_LIMITS["place"]
    )
    online_link = forms.URLField(
        label=gettext_lazy("Đường dẫn họp trực tuyến"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=gettext_lazy("Không bắt buộc nếu đã có địa điểm."),
    )
    #: The cell's expected members, read once for both lists; the services check the choice.
    chair = forms.TypedChoiceField(
        label=gettext_lazy("Chủ trì"), coerce=int, empty_value=None, required=False
    )
    recorder = forms.TypedChoiceField(
        label=gettext_lazy("Thư ký cuộc họp"), coerce=int, empty_value=None, required=False
    )
    agenda = forms.CharField(
        label=gettext_lazy("Chương trình"),
        required=False,
        widget=_textarea(5),
        max_length=services.TEXT_LIMITS["agenda"],
    )
    content = forms.CharField(
        label=gettext_lazy("Nội dung"),
        required=False,
        widget=_textarea(4),
        max_length=services.TEXT_LIMITS["content"],
    )
    draft_resolution = forms.CharField(
        label=gettext_lazy("Dự thảo nghị quyết"),
        required=False,
        widget=_textarea(4),
        max_length=services.TEXT_LIMITS["draft_resolution"],
        help_text=gettext_lazy("Đảng viên trong chi bộ góp ý trước buổi họp."),
    )

    #: where a service's error on a model field lands in this form
    SERVICE_FIELD = {"starts_at": "start", "ends_at": "end", "cell": None}

    def __init__(self, *args, cell, **kwargs):
        super().__init__(*args, **kwargs)
        self.cell = cell
        people = [("", _("— Chưa chọn —"))] + list(
            services.expected_members(cell)
            .order_by("full_name", "pk")
            .values_list("pk", "full_name")
        )
        self.fields["chair"].choices = self.fields["recorder"].choices = people
        self.fields["start"].help_text = _("Giờ Việt Nam.")

    @staticmethod
    def initial_for(meeting):
        """The form's values for an existing meeting (the edit page)."""
        start = timezone.localtime(meeting.starts_at)
        initial = {
            name: getattr(meeting, name)
            for name in ("kind", "title", "place", "online_link", "agenda", "content")
        }
        initial.update(
            draft_resolution=meeting.draft_resolution,
            day=start.date(),
            start=start.time().replace(second=0, microsecond=0),
            chair=meeting.chair_id,
            recorder=meeting.recorder_id,
        )
        if meeting.ends_at:
            initial["end"] = timezone.localtime(meeting.ends_at).time().replace(second=0)
        return initial

    def service_fields(self, names=None):
        """The cleaned values as the services take them (``starts_at``/``ends_at`` aware)."""
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        fields = {
            name: data.get(name)
            for name in (
                "kind",
                "title",
                "place",
                "online_link",
                "chair",
                "recorder",
                "agenda",
                "content",
                "draft_resolution",
            )
        }
        fields["starts_at"] = datetime.combine(data["day"], data["start"], tzinfo=tz)
        fields["ends_at"] = (
            datetime.combine(data["day"], data["end"], tzinfo=tz) if data.get("end") else None
        )
        if names is not None:
            fields = {name: value for name, value in fields.items() if name in names}
        return fields

    def changed_service_fields(self):
        """Only what the secretary changed (the edit page): the services log and re-notify that."""
        changed = set(self.changed_data)
        names = {n for n in changed if n not in ("day", "start", "end")}
        if changed & {"day", "start"}:
            names.add("starts_at")
        if changed & {"day", "start", "end"}:
            names.add("ends_at")
        return self.service_fields(names)

    def add_service_errors(self, exc):
        """Put a service's ValidationError on the matching fields (or the whole form)."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for name, messages in exc.message_dict.items():
            target = self.SERVICE_FIELD.get(name, name)
            self.add_error(target if target in self.fields else None, messages)


class SecretaryMinutesForm(forms.Form):
    minutes = forms.CharField(
        label=gettext_lazy("Biên bản"),
        widget=_textarea(12),
        max_length=services.TEXT_LIMITS["minutes"],
        help_text=gettext_lazy("Diễn biến buổi sinh hoạt, ý kiến phát biểu, kết luận."),
    )
    resolution = forms.CharField(
        label=gettext_lazy("Nghị quyết của chi bộ"),
        required=False,
        widget=_textarea(8),
        max_length=services.TEXT_LIMITS["resolution"],
    )


class InternalMaterialForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Tiêu đề tài liệu"), max_length=255)
    summary = forms.CharField(
        label=gettext_lazy("Tóm tắt"), required=False, widget=_textarea(3), max_length=5000
    )
    file = forms.FileField(
        label=gettext_lazy("Tệp đính kèm"),
        required=False,
        help_text=gettext_lazy("PDF, Word, ảnh…, tối đa 20 MB. Không bắt buộc."),
    )
