"""The member's news list (/tin-tuc/): scoped news and bulletins, by category."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import reading
from ..choices import NewsCategory
from ..models import NewsPage
from .library import PER_PAGE

LIST_NEWS_FIELDS = (
    "title",
    "url_path",
    "published_at",
    "category",
    "featured",
    "lead",
    "issuer_org__name",
)


@never_cache
@login_required
@require_GET
def news_list(request):
    category = request.GET.get("chuyen-muc", "")
    news = (
        reading.readable(request.user, NewsPage)
        .select_related("issuer_org")
        .only(*LIST_NEWS_FIELDS)
        .order_by("-published_at", "-pk")
    )
    error = None
    if category:
        if category in NewsCategory.values:
            news = news.filter(category=category)
        else:
            error = _("Chuyên mục không hợp lệ.")
            category = ""
    page = Paginator(news, PER_PAGE).get_page(request.GET.get("trang"))
    return render(
        request,
        "editorial/news_list.html",
        {
            "page_obj": page,
            "news": page.object_list,
            "categories": NewsCategory.choices,
            "category": category,
            "error": error,
            "query": f"chuyen-muc={category}" if category else "",
            "section": "news",
        },
    )
