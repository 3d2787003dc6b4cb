"""Admin views that name a page ask the explorer's rule first: out of scope, 404.

Wagtail's page views load the page their URL names and only then ask (or forget to ask) the
page's permissions: a refused action answers a redirect with "no permission", and several views
show the page's title before any check: the page chooser's browse of a parent and its "chosen"
endpoint, the workflow action and cancellation views, "add a page here", the editing-session
ping. The difference between that and a 404 also tells an editor of one district that a page
id of another exists.

So before any admin view runs (``process_view``: the URL is resolved, nothing loaded yet), each
page the request names must be one the user may see:

- a page named by the URL: any keyword argument in :data:`PAGE_KWARGS` (``page_id``,
  ``parent_page_id``…), a ``pk`` in the ``wagtailadmin_pages`` namespace, an ``object_id`` of
  ``wagtailcore.page``; the rule is the explorer's (``permissions.explorable_pages``);
- the page chooser (:data:`CHOOSER_URLS`): its parent, and the ``id`` query parameters of the
  "chosen" endpoint; the rule is the chooser's (``permissions.choosable_pages``, which includes
  the explorer's pages and the live pages the user may link to).

Otherwise: 404. Superusers are not asked. Bulk actions name their pages in the query string
and may name "all children of" a page: they are cut in the action itself
(``permissions._scoped_actionable_objects``). One query, only on admin URLs that name a page.
"""

from django.http import Http404
from django.urls import reverse

from sotay_plugins import front
from sotay_plugins.orgtree import scope

#: URL keyword arguments that are page ids, in every admin view.
PAGE_KWARGS = frozenset(
    {"page_id", "parent_page_id", "page_to_move_id", "destination_id", "page_pk"}
)
#: The page chooser's views: they may name any page the chooser may offer.
CHOOSER_URLS = frozenset(
    {
        "wagtailadmin_choose_page",
        "wagtailadmin_choose_page_child",
        "wagtailadmin_choose_page_search",
        "wagtailadmin_choose_page_chosen_multiple",
    }
)
CHOSEN = "wagtailadmin_choose_page_chosen_multiple"


def named_pages(request, view_kwargs):
    """The page ids this admin request names (URL arguments, and the chooser's ``id``s)."""
    match = request.resolver_match
    ids = [v for k, v in view_kwargs.items() if k in PAGE_KWARGS]
    if match.namespace == "wagtailadmin_pages" and "pk" in view_kwargs:
        ids.append(view_kwargs["pk"])
    if (view_kwargs.get("app_label"), view_kwargs.get("model_name")) == ("wagtailcore", "page"):
        ids.append(view_kwargs.get("object_id"))
    if match.url_name == CHOSEN:
        ids += request.GET.getlist("id")
    return ids


class OutOfScopePagesAre404:
    sotay_front = front.NOTHING  # admin pages only: nothing of a fast POST

    def __init__(self, get_response):
        self.get_response = get_response
        self._prefix = None

    def prefix(self):
        if self._prefix is None:
            self._prefix = reverse("wagtailadmin_home")  # /quan-tri/
        return self._prefix

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path_info.startswith(self.prefix()):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or scope.is_superadmin(user):
            return None
        ids = named_pages(request, view_kwargs)
        if not ids:
            return None
        try:
            ids = {int(pk) for pk in ids}
        except (TypeError, ValueError):
            raise Http404 from None
        from ..permissions import choosable_pages, explorable_pages

        rule = (
            choosable_pages if request.resolver_match.url_name in CHOOSER_URLS else explorable_pages
        )
        if rule(user).filter(pk__in=ids).count() != len(ids):
            raise Http404
        return None
