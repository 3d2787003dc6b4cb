"""The admin form of news and documents: the issuer is the section's unit, the audience lies in
its subtree, the advisory body is one the editor may upload for, and the editor's right is
checked on the server (a form posted by hand gets the same answer as the screen)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm


class ScopedPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from sotay_plugins.orgtree.models import Organisation

        from . import services
        from .models import DocumentPage, SectionPage

        page = self.instance
        if not page.issuer_org_id and self.parent_page is not None:
            section = self.parent_page.specific
            if isinstance(section, SectionPage):
                page.issuer_org = section.organisation
        issuer = page.issuer_org if page.issuer_org_id else None
        if "audience_org" in self.fields:
            field = self.fields["audience_org"]
            if issuer is None:
                field.queryset = Organisation.objects.none()
            else:
                field.queryset = Organisation.objects.filter(
                    tree_id=issuer.tree_id, lft__gte=issuer.lft, rght__lte=issuer.rght, is_active=True
                ).order_by("tree_id", "lft")
                field.initial = field.initial or issuer.pk
                if not page.audience_org_id:
                    self.initial.setdefault("audience_org", issuer.pk)
        if "advisory_body" in self.fields and isinstance(page, DocumentPage) and issuer is not None:
            self.fields["advisory_body"].queryset = services.upload_bodies(self.for_user, issuer)

    def clean(self):
        from . import services
        from .models import DocumentPage

        cleaned = super().clean()
        page = self.instance
        if not page.issuer_org_id:
            raise ValidationError(_("Tin bài, văn bản phải nằm trong chuyên mục của một đơn vị."))
        if isinstance(page, DocumentPage):
            body = cleaned.get("advisory_body")
            if not services.may_upload(self.for_user, page.issuer_org, body):
                self.add_error("advisory_body" if "advisory_body" in self.fields else None,
                               _("Bạn không được đăng văn bản của cơ quan này."))
        elif not services.may_write_news(self.for_user, page.issuer_org):
            self.add_error(None, _("Bạn không được viết tin bài cho đơn vị này."))
        return cleaned
