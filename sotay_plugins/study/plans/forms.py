"""Admin forms of the plans part. Every choice list is cut by the scope engine; the services
check again (and refuse in Vietnamese)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput

from sotay_plugins.orgtree.forms import OrgChoiceField, ScopedModelForm, org_chooser
from sotay_plugins.orgtree.models import Organisation

from ..resolutions.models import MANAGE_STUDY, ResolutionPage
from . import services
from .models import RECORD_IMPLEMENTATION, ImplementationPlan, StudyPlan, StudySession

PLAN_FIELDS = [
    "title",
    "resolution",
    "audiences",
    "deadline",
    "description",
    "cells_plan_too",
    "audience_org",
    "audience_positions",
    "audience_groups",
]


class ResolutionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} · {obj.title}"


class StudyPlanForm(ScopedModelForm):
    issuer_org = OrgChoiceField(
        queryset=Organisation.objects.none(), label=gettext_lazy("Cấp ủy ban hành kế hoạch")
    )
    audience_org = OrgChoiceField(
        queryset=Organisation.objects.none(), label=gettext_lazy("Đơn vị học tập")
    )

    class Meta:
        model = StudyPlan
        fields = PLAN_FIELDS
        field_classes = {"resolution": ResolutionChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = services.announcing_orgs(self.user).order_by("tree_id", "lft")
        self.fields["issuer_org"].queryset = orgs
        self.fields["issuer_org"].widget = org_chooser(MANAGE_STUDY)
        self.fields["audience_org"].queryset = orgs
        self.fields["audience_org"].widget = org_chooser(MANAGE_STUDY)
        self.fields["resolution"].queryset = services.resolution_choices(self.user).order_by(
            "-published_at"
        )
        self.fields["deadline"].widget = AdminDateInput()
        self.order_fields(["issuer_org", *PLAN_FIELDS])

    def clean(self):
        return self.cleaned_data

    def _post_clean(self):
        pass

    def service_fields(self):
        data = dict(self.cleaned_data)
        return {name: data.get(name) for name in ["issuer_org", *PLAN_FIELDS]}


class StudyPlanEditForm(ScopedModelForm):
    class Meta:
        model = StudyPlan
        fields = ["title", "deadline", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].widget = AdminDateInput()

    def clean(self):
        return self.cleaned_data

    def _post_clean(self):
        pass


class StudySessionForm(ScopedModelForm):
    plan = forms.ModelChoiceField(
        queryset=StudyPlan.objects.none(), label=gettext_lazy("Kế hoạch học tập")
    )
    issuer_org = OrgChoiceField(
        queryset=Organisation.objects.none(), label=gettext_lazy("Đơn vị tổ chức")
    )
    audience_org = OrgChoiceField(
        queryset=Organisation.objects.none(), label=gettext_lazy("Đơn vị dự học")
    )

    class Meta:
        model = StudySession
        fields = ["title", "starts_at", "ends_at", "place", "expected_participants"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = services.session_orgs(self.user).order_by("tree_id", "lft")
        self.fields["issuer_org"].queryset = orgs
        self.fields["issuer_org"].widget = org_chooser(MANAGE_STUDY)
        self.fields["audience_org"].queryset = orgs
        self.fields["audience_org"].widget = org_chooser(MANAGE_STUDY)
        self.fields["plan"].queryset = services.followed_plans(self.user).order_by("-deadline")
        for name in ("starts_at", "ends_at"):
            self.fields[name].widget = AdminDateTimeInput()
        if self.instance.pk:
            for name in ("plan", "issuer_org", "audience_org"):
                del self.fields[name]
        else:
            self.order_fields(["plan", "issuer_org", "audience_org"])

    def clean(self):
        # The model's own clean needs the unit and plan the service sets: left to the service.
        return self.cleaned_data

    def _post_clean(self):
        pass


class ImplementationPlanForm(ScopedModelForm):
    plan = forms.ModelChoiceField(
        queryset=StudyPlan.objects.none(), label=gettext_lazy("Kế hoạch học tập của cấp trên")
    )
    org = OrgChoiceField(queryset=Organisation.objects.none(), label=gettext_lazy("Đơn vị"))

    class Meta:
        model = ImplementationPlan
        fields = ["number", "issued_on", "text", "file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = services.recording_orgs(self.user).order_by("tree_id", "lft")
        self.fields["org"].queryset = orgs
        self.fields["org"].widget = org_chooser(RECORD_IMPLEMENTATION)
        self.fields["plan"].queryset = services.followed_plans(self.user).order_by("-deadline")
        self.fields["issued_on"].widget = AdminDateInput()
        self.order_fields(["plan", "org", "number", "issued_on", "text", "file"])

    def clean(self):
        return self.cleaned_data

    def _post_clean(self):
        pass


class ConfirmForm(forms.Form):
    def __init__(self, *args, user, obj, **kwargs):
        super().__init__(*args, **kwargs)


class ReportForm(forms.Form):
    resolution = ResolutionChoiceField(
        queryset=ResolutionPage.objects.none(), label=gettext_lazy("Nghị quyết")
    )
    org = OrgChoiceField(queryset=Organisation.objects.none(), label=gettext_lazy("Đơn vị"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from ..resolutions import reports

        self.fields["resolution"].queryset = reports.reportable_resolutions(user).order_by(
            "-published_at"
        )
        self.fields["org"].queryset = reports.report_units(user).order_by("tree_id", "lft")
