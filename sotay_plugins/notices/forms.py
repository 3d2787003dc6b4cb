"""The committee's notice form (admin): units cut by the scope engine; the service checks again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.widgets import AdminDateTimeInput, AdminPageChooser

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.forms import OrgChoiceField, ScopedModelForm, org_chooser
from sotay_plugins.orgtree.models import Organisation

from .models import SEND_NOTICE, Announcement
from .services import choosable_by

FIELDS = [
    "issuer_org",
    "audience_org",
    "audience_positions",
    "audience_groups",
    "title",
    "body",
    "page",
    "required",
    "send_at",
]


class PageChooser(AdminPageChooser):
    """Wagtail's page chooser, re-rendering a refused form whose page value is not an id (junk
    posted by hand) as an empty choice instead of failing on the lookup.

    Its listing is the scoped one: the module that owns the pages narrows every page chooser
    through the scope engine (the ``construct_page_chooser_queryset`` hook), and the form and the
    service refuse a page the chooser would not offer (``services.choosable_by``)."""

    def get_instance(self, value):
        try:
            return super().get_instance(value)
        except (TypeError, ValueError):
            return None


class AnnouncementForm(ScopedModelForm):
    issuer_org = OrgChoiceField(
        queryset=Organisation.objects.none(), label=gettext_lazy("Đơn vị gửi")
    )
    audience_org = OrgChoiceField(
        queryset=Organisation.objects.none(),
        label=gettext_lazy("Gửi tới (đơn vị và các đơn vị trực thuộc)"),
    )

    class Meta:
        model = Announcement
        fields = FIELDS
        widgets = {"send_at": AdminDateTimeInput(), "page": PageChooser()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = scope.managed_orgs(self.for_user, SEND_NOTICE).filter(is_active=True)
        for name in ("issuer_org", "audience_org"):
            self.fields[name].queryset = units
            self.fields[name].widget = org_chooser(SEND_NOTICE)
        if units.count() == 1:
            self.fields["issuer_org"].initial = self.fields["audience_org"].initial = units.first()
        self.fields["body"].widget = forms.Textarea(attrs={"rows": 6})
        self.fields["send_at"].help_text = _("Để trống: gửi ngay. Giờ Việt Nam, dd/mm/yyyy hh:mm.")

    def clean(self):
        data = super().clean()
        for name in ("issuer_org", "audience_org"):
            unit = data.get(name)
            if unit is not None and not scope.can(self.for_user, SEND_NOTICE, unit):
                self.add_error(name, _("Bạn không được gửi thông báo của đơn vị này."))
        page = data.get("page")
        if page is not None and not choosable_by(self.for_user, page):
            self.add_error("page", _("Bạn chỉ được gắn trang trong phạm vi đơn vị mình phụ trách."))
        return data

    def service_fields(self):
        return {name: self.cleaned_data.get(name) for name in FIELDS}
