"""The newsroom and the library in the Wagtail admin: what an editor may see and do there.

``EditorialConfig.ready`` registers the scoped page, file and image policies
(``permissions.register_policies``, before any view asks Wagtail for a policy): the explorer,
its search, the reports (locked pages, aging pages, workflows, site history) and the documents
index then list only what the user manages. The hook functions below (wired by
``editorial/wagtail_hooks.py``) cut what Wagtail does not ask a policy for:

- the page chooser (rich-text links, a document's related documents): ``choosable_pages``;
- the document and image choosers: the policies' files (filtered again here, cheap);
- the explorer listing: filtered again by ``explorable_pages`` (belt and braces);
- creating a page: a news article only where the user writes news, a document only where they
  may upload one, a section only for a unit they manage that has none (else 404: the unit's
  section is not theirs to see), a registered page type (``registry.add_scoped_page``) only by
  whoever holds its write capability somewhere (its unit is then chosen among theirs: the
  plugin's form);
- the "page types usage" report counts every page and names the last edited page of each
  type across the site: it cannot be scoped, so it is for superusers only (menu item hidden,
  view refused: ``page_types_report_for_superusers_only``, called from ``ready``).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail.models import Page
from wagtail.permission_policies.base import ModelPermissionPolicy

from sotay_plugins.orgtree import scope
from sotay_plugins.registry import registry

from .. import permissions, services
from ..models import DocumentPage, NewsPage, SectionPage


def _superuser(request):
    return scope.is_superadmin(request.user)


def explorer_in_scope(parent_page, pages, request):
    if _superuser(request):
        return pages
    return pages.filter(pk__in=permissions.explorable_pages(request.user).values("pk"))


def page_chooser_in_scope(pages, request):
    if _superuser(request):
        return pages
    return pages.filter(pk__in=permissions.choosable_pages(request.user).values("pk"))


def document_chooser_in_scope(documents, request):
    if _superuser(request):
        return documents
    return documents.filter(pk__in=permissions.files_for(request.user).values("pk"))


def image_chooser_in_scope(images, request):
    if _superuser(request):
        return images
    return images.filter(uploaded_by_user=request.user)


def create_only_in_scope(request, parent_page, page_class):
    """Wagtail offers every page type a parent allows; the user's rights decide which they get."""
    user = request.user
    if _superuser(request):
        return None
    parent = parent_page.specific
    kind = registry.scoped_page_type(page_class)
    if kind is not None:
        if scope.can(user, kind.write_capability):
            return None
        if not permissions.explorable_pages(user).filter(pk=parent.pk).exists():
            raise Http404
        messages.error(request, _("Bạn không có quyền tạo trang loại này."))
        return redirect("wagtailadmin_explore", parent.pk)
    if issubclass(page_class, SectionPage):
        if not permissions.section_orgs(user).exists():
            raise Http404
        return None
    if not isinstance(parent, SectionPage):
        raise Http404
    org = parent.organisation
    if issubclass(page_class, DocumentPage):
        allowed = services.may_upload(user, org) or services.upload_bodies(user, org).exists()
        refusal = _("Bạn không được đăng văn bản của đơn vị này.")
    elif issubclass(page_class, NewsPage):
        allowed = services.may_write_news(user, org)
        refusal = _("Bạn không được viết tin bài cho đơn vị này.")
    else:
        allowed, refusal = False, ""
    if allowed:
        return None
    if not permissions.explorable_pages(user).filter(pk=parent.pk).exists():
        raise Http404
    messages.error(request, refusal)
    return redirect("wagtailadmin_explore", parent.pk)


def hide_unscoped_reports(request, menu_items):
    if not _superuser(request):
        menu_items[:] = [item for item in menu_items if item.name != "page-types-usage"]


def page_types_report_for_superusers_only():
    """Wagtail's page-types report reveals every page's type count and last edited title:
    it answers Django's model permissions (which only superusers hold here), not the scope."""
    from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView

    PageTypesUsageReportView.permission_policy = ModelPermissionPolicy(Page)
