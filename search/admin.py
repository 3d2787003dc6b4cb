"""Staff search in the Wagtail admin (``/quan-tri/tim-kiem/``): the same engine and the same scope
as the member's search (``engine.search`` with the staff user: what their units issued, and what
reaches them as members); each hit links to the item through the same scope-checked redirect.

Filters by kind, issuer and year with the facets' counts, a sort (relevance or date) and a pager
in Wagtail's own markup (``p``, as in Wagtail's listings; its links keep the filters). Every page,
count and facet comes from ``engine.search(request.user, …)``. A value that does not parse
(``forms.AdminSearchForm``) or a page out of range gives a Vietnamese message, never an error."""

from types import SimpleNamespace

from django.http import Http404
from django.utils.translation import gettext, gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from sotay_plugins.orgtree import scope

from . import engine
from .forms import AdminSearchForm

PAGE_SIZE = 30
MAX_PAGE = 10**6  # a larger number is out of range all the same (and no offset for the database)


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
        form = AdminSearchForm(self.request.GET)
        notes = form.messages()
        number, page_message = self.page_number()
        context.update(form=form, query=form.params["q"], notes=notes)
        if not form.params["q"]:
            return context
        try:
            results = self.search(form, number)
            last = max(1, -(-results.count // PAGE_SIZE))
            if number > last:
                page_message = (
                    gettext("Chỉ có %(n)d trang kết quả: đang hiện trang cuối.") % {"n": last}
                    if results.count
                    else ""  # nothing found says enough
                )
                number = last
                results = self.search(form, number)
        except engine.QueryError as exc:
            context["error"] = str(exc)
            return context
        if page_message:
            notes.append(page_message)
        form.with_facets(results.facets, results.hits)
        paginator = ResultsPaginator(results, PAGE_SIZE)
        page_obj = paginator.get_page(number)
        context.update(
            results=results,
            page_obj=page_obj,
            elided_page_range=list(paginator.get_elided_page_range(number)),
            # Wagtail's pager builds its links from ``request.GET`` (``{% querystring %}``):
            # it is given the valid values only, so no link carries a dropped one
            pager_request=SimpleNamespace(GET=form.link()),
            active_filters=form.active_filters(),
            clear_filters_url="?" + form.link(kind=None, issuer=None, year=None).urlencode(),
        )
        return context

    def page_number(self):
        """The page asked for (``p``) and, when it is not a page number, why page 1 is shown."""
        raw = self.request.GET.get("p", "").strip()
        if not raw:
            return 1, ""
        if raw.isdigit() and raw.isascii() and int(raw) >= 1:
            return min(int(raw), MAX_PAGE), ""
        return 1, gettext("Số trang không hợp lệ: đang hiện trang đầu.")

    def search(self, form, number):
        params = form.params
        return engine.search(
            self.request.user,
            params["q"],
            kind=params["kind"],
            issuer=params["issuer"],
            year=params["year"],
            sort=params["sort"],
            offset=(number - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )


class ResultsPaginator(WagtailPaginator):
    """Wagtail's paginator over one page the engine answered: ``count`` is the engine's, the
    page's rows are its hits (the other pages are never fetched)."""

    def __init__(self, results, per_page):
        super().__init__(_Window(results), per_page)

    @property
    def verbose_name(self):
        return gettext("kết quả")

    verbose_name_plural = verbose_name


class _Window:
    def __init__(self, results):
        self.results = results

    def __len__(self):
        return self.results.count

    def __getitem__(self, window):
        # the paginator asks for exactly the window the engine answered
        return self.results.hits


class SearchMenuItem(MenuItem):
    def is_shown(self, request):
        return may_search(request.user)
