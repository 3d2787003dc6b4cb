"""The member's search page (``/tim-kiem/?q=``) and the link behind every hit.

Query string (Vietnamese names, the form's own): ``q``, ``loai`` (kind), ``don_vi`` (issuer id),
``nam`` (year), ``sap_xep`` (``phu_hop`` relevance, ``moi_nhat`` date), ``trang`` (page)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from . import engine

PAGE_SIZE = 20
SORTS = {"phu_hop": "relevance", "moi_nhat": "date"}


def _number(request, name, maximum=10**9):
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= maximum else None


def _link(params, **changes):
    query = QueryDict(mutable=True)
    for key in ("q", "loai", "don_vi", "nam", "sap_xep"):
        value = changes[key] if key in changes else params.get(key)
        if value:
            query[key] = value
    return "?" + query.urlencode()


@login_required
@require_GET
def search_page(request):
    query = engine.clean(request.GET.get("q", ""))
    params = {
        "q": query,
        "loai": request.GET.get("loai") or "",
        "don_vi": str(_number(request, "don_vi") or ""),
        "nam": str(_number(request, "nam", 9999) or ""),
        "sap_xep": request.GET.get("sap_xep") if request.GET.get("sap_xep") in SORTS else "",
    }
    page = _number(request, "trang", 10_000) or 1
    context = {"query": query, "params": params, "kinds": engine.kinds(), "page": page}
    if query:
        try:
            results = engine.search(
                request.user,
                query,
                kind=params["loai"] or None,
                issuer=_number(request, "don_vi"),
                year=_number(request, "nam", 9999),
                sort=SORTS.get(params["sap_xep"], "relevance"),
                offset=(page - 1) * PAGE_SIZE,
                limit=PAGE_SIZE,
            )
        except engine.QueryError as exc:
            context["error"] = str(exc)
        else:
            facets = {
                name: [
                    {
                        "label": label,
                        "count": n,
                        "current": params[param] == str(key),
                        "url": _link(params, **{param: "" if params[param] == str(key) else key}),
                    }
                    for key, label, n in results.facets.get(name, [])
                ]
                for name, param in (("kind", "loai"), ("issuer", "don_vi"), ("year", "nam"))
            }
            context.update(
                results=results,
                facets=facets,
                has_next=page * PAGE_SIZE < results.count,
                previous_url=_link(params) + f"&trang={page - 1}" if page > 1 else "",
                next_url=_link(params) + f"&trang={page + 1}",
            )
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
