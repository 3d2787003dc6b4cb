"""Staff search in the Wagtail admin (``/quan-tri/tim-kiem/``): the same engine and the same scope
as the member's search (``engine.search`` with the staff user: what their units issued, and what
reaches them as members); each hit links to the item through the same scope-checked redirect."""

from django.http import Http404
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from sotay_plugins.orgtree import scope

from . import engine

PAGE_SIZE = 30


def may_search(user):
    return scope.is_superadmin(user) or bool(scope.grants(user))


class AdminSearchView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "search/admin/search.html"
    page_title = gettext_lazy("Tìm kiếm nội dung")
    header_icon = "search"

    def dispatch(self, request, *args, **kwargs):
        if not may_search(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        # no breadcrumbs: the header shows the page's title, not "Trang chủ" (as other admin pages)
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = engine.clean(self.request.GET.get("q", ""))
        kind = self.request.GET.get("kind") or None
        context.update(query=query, kinds=engine.kinds(), kind=kind)
        if query:
            try:
                results = engine.search(self.request.user, query, kind=kind, limit=PAGE_SIZE)
            except engine.QueryError as exc:
                context["error"] = str(exc)
            else:
                context["results"] = results
        return context


class SearchMenuItem(MenuItem):
    def is_shown(self, request):
        return may_search(request.user)
