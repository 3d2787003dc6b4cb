"""The admin forms of the newsroom and the library.

- ``ScopedPageForm`` (news and documents): the issuer is the section's unit, the audience lies in
  its subtree, the advisory body is one the editor may upload for, a linked document is one the
  editor may choose, and the editor's right is checked on the server (a form posted by hand
  gets the same answer as the screen).
- ``SectionPageForm``: a section is opened only for a unit the editor manages and that has none
  yet; its unit never changes afterwards.

The library file's upload form is ``admin.documents.LibraryFileForm`` (it imports Wagtail's document
forms, which need the models loaded: this module is imported by ``models``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm

from sotay_plugins.slugs import AsciiSlugFormMixin


class ScopedPageForm(AsciiSlugFormMixin, WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from sotay_plugins.orgtree import scope
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
                    scope.within(issuer), is_active=True
                ).order_by("tree_id", "lft")
                field.initial = field.initial or issuer.pk
                if not page.audience_org_id:
                    self.initial.setdefault("audience_org", issuer.pk)
        if "advisory_body" in self.fields and isinstance(page, DocumentPage) and issuer is not None:
            bodies = services.upload_bodies(self.for_user, issuer)
            if page.advisory_body_id and self._reviewing():  # the board keeps the page's body
                bodies = bodies | bodies.model.objects.filter(pk=page.advisory_body_id)
            self.fields["advisory_body"].queryset = bodies
        if "links" in getattr(self, "formsets", {}) and self.for_user is not None:
            from .permissions import linkable_documents

            targets = linkable_documents(self.for_user)
            if page.pk:
                targets = targets.exclude(pk=page.pk)
            for form in self.formsets["links"].forms:
                if "target" in form.fields:
                    form.fields["target"].queryset = targets
                    form.fields["target"].error_messages["invalid_choice"] = _(
                        "Không tìm thấy văn bản này trong phạm vi của bạn."
                    )

    def clean(self):
        from . import services
        from .models import DocumentPage

        cleaned = super().clean()
        page = self.instance
        if not page.issuer_org_id:
            raise ValidationError(_("Tin bài, văn bản phải nằm trong chuyên mục của một đơn vị."))
        if isinstance(page, DocumentPage):
            body = cleaned.get("advisory_body")
            keeps_body = getattr(body, "pk", body) == page.advisory_body_id
            if not (
                services.may_upload(self.for_user, page.issuer_org, body)
                or (keeps_body and self._reviewing())
            ):
                self.add_error(
                    "advisory_body" if "advisory_body" in self.fields else None,
                    _("Bạn không được đăng văn bản của cơ quan này."),
                )
        elif not (services.may_write_news(self.for_user, page.issuer_org) or self._reviewing()):
            self.add_error(None, _("Bạn không được viết tin bài cho đơn vị này."))
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        from . import services
        from .models import DocumentPage

        if isinstance(self.instance, DocumentPage) and services.classified_errors(self.instance):
            if destroy_classified_uploads(self, self.for_user):
                self.add_error(
                    None,
                    _(
                        "Tệp đã tải lên cho văn bản mật này đã bị xóa khỏi hệ thống; "
                        "không có gì được lưu."
                    ),
                )

    def _reviewing(self):
        """Is the user the board acting on the page's current workflow step? The board may
        correct a page while it reviews it (``workflows``), keeping its unit and body."""
        page = self.instance
        if not page.pk or self.for_user is None:
            return False
        task = page.current_workflow_task
        return task is not None and task.user_can_access_editor(page, self.for_user)


def destroy_classified_uploads(form, user):
    """A classified (MẬT) document is refused, and nothing of it may stay (issue 17): the files
    chosen in its form that the user uploaded for it (through the chooser, saved before the
    page) are deleted, row and bytes. Only orphans are: a file the user uploaded in the last
    day that no page links to or references; a file already used elsewhere stays. Returns how
    many were deleted."""
    from datetime import timedelta

    from django.utils import timezone
    from wagtail.models import ReferenceIndex

    from .models import DocumentFile, LibraryFile, NewsAttachment

    formset = getattr(form, "formsets", {}).get("files")
    if formset is None or user is None or not user.is_authenticated:
        return 0
    ids = set()
    for child in formset.forms:
        value = (getattr(child, "cleaned_data", None) or {}).get("file")
        if value is None:
            value = child.data.get(child.add_prefix("file"))
        try:
            ids.add(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            continue
    if not ids:
        return 0
    candidates = LibraryFile.objects.filter(
        pk__in=ids,
        uploaded_by_user=user,
        created_at__gte=timezone.now() - timedelta(days=1),
    ).exclude(pk__in=DocumentFile.objects.values("file_id"))
    candidates = candidates.exclude(pk__in=NewsAttachment.objects.values("file_id"))
    deleted = 0
    for upload in candidates:
        if ReferenceIndex.get_references_to(upload).exists():
            continue
        upload.file.delete(save=False)
        upload.delete()
        deleted += 1
    return deleted


class SectionPageForm(AsciiSlugFormMixin, WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .permissions import section_orgs

        field = self.fields.get("organisation")
        if field is None:
            return
        if (
            self.instance.pk
        ):  # a section stays with its unit: its news and documents were issued there
            field.disabled = True
            return
        if self.for_user is not None:
            field.queryset = section_orgs(self.for_user).order_by("tree_id", "lft")
        field.error_messages["invalid_choice"] = _(
            "Bạn không quản lý đơn vị này, hoặc đơn vị đã có chuyên mục; xin chọn đơn vị khác."
        )
