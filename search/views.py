"""The member's search page (``/tim-kiem/?q=``) and the link behind every hit."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from . import engine

PAGE_SIZE = 20


@login_required
@require_GET
def search_page(request):
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("loai") or None
    page = (
        int(request.GET["trang"])
        if request.GET.get("trang", "").isdigit() and int(request.GET["trang"]) > 0
        else 1
    )
    context = {"query": query, "kind": kind, "kinds": engine.kinds(), "page": page}
    if query:
        try:
            results = engine.search(
                request.user, query, kind=kind, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
            )
        except engine.QueryError as exc:
            context["error"] = str(exc)
        else:
            context.update(results=results, has_next=page * PAGE_SIZE < results.count)
    return render(request, "search/results.html", context)


@login_required
@require_GET
def open_hit(request, kind, pk):
    """Redirect to the page that shows the hit, after the same scope check (404 otherwise)."""
    try:
        obj = engine.find(request.user, kind, pk)
    except engine.QueryError:
        raise Http404 from None
    if obj is None:
        raise Http404
    specific = getattr(obj, "specific", obj)
    target = engine.kind_of(kind).url
    url = (
        target(specific)
        if target
        else (
            specific.get_url(request)
            if hasattr(specific, "get_url")
            else specific.get_absolute_url()
        )
    )
    if not url:
        raise Http404
    return redirect(url)
