"""The member's reading pages: the library (documents, with filters), the news list, the
bookmarks ("Đọc sau") and the scoped file download.

Every list and every object goes through ``reading`` (the scope engine): an object the user may
not read answers 404, never 403. The news and document pages themselves are Wagtail pages
(``ScopedPage.serve`` checks scope and records the open). Files live in private storage and
have no public URL: ``file_download`` checks ``reading.file_access`` and hands the file to
``sotay_plugins.files.serve_private`` (X-Accel-Redirect through nginx in production).
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator
from django.db.models import Q, Value
from django.db.models.functions import Length, StrIndex
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST
from wagtail.models import Page

from sotay_plugins import files
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.models import Organisation
from sotay_plugins.text import fold, tokens

from . import reading
from .choices import DocumentKind, NewsCategory
from .models import VIEW_LIBRARY, Bookmark, DocumentPage, NewsPage

PER_PAGE = 20
BOOKMARKS_SHOWN = 200
FIRST_YEAR = 1930

LIST_DOCUMENT_FIELDS = ("title", "url_path", "number", "kind", "issued_on", "issuer_org__name")
LIST_NEWS_FIELDS = (
    "title",
    "url_path",
    "published_at",
    "category",
    "featured",
    "lead",
    "issuer_org__name",
)


# --- the library --------------------------------------------------------------------------


def issuer_choices(user):
    """Units the library can be filtered on (one query): those that publish (have a section)
    among the member's own units (their cell and its ancestors) and the units where the user
    holds ``VIEW_LIBRARY`` as staff."""
    queryset = (
        Organisation.objects.filter(section_page__isnull=False)
        .only("pk", "name")
        .order_by("tree_id", "lft")
    )
    if not scope.is_superadmin(user):
        q = Q(pk__in=[])
        member = scope.subject(user)
        if member is not None:
            q |= Q(tree_id=member.tree_id, lft__lte=member.lft, rght__gte=member.rght)
        if scope.managed_ranges(user, VIEW_LIBRARY):
            q |= Q(pk__in=scope.managed_orgs(user, VIEW_LIBRARY).values("pk"))
        queryset = queryset.filter(q)
    return [(org.pk, org.name) for org in queryset]


class LibraryFilter(forms.Form):
    """The library's filters (GET). An invalid value is reported in Vietnamese and ignored."""

    q = forms.CharField(
        label=gettext_lazy("Tìm theo từ khóa"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Trong số hiệu, tiêu đề, trích yếu; gõ có dấu hoặc không dấu."),
    )
    so = forms.CharField(
        label=gettext_lazy("Số hiệu"),
        required=False,
        max_length=60,
        help_text=gettext_lazy("Ví dụ: 15-NQ/TU"),
    )
    loai = forms.ChoiceField(label=gettext_lazy("Loại văn bản"), required=False)
    nam = forms.IntegerField(
        label=gettext_lazy("Năm ban hành"),
        required=False,
        min_value=FIRST_YEAR,
        error_messages={
            "invalid": gettext_lazy("Năm phải là một số, ví dụ 2024."),
            "min_value": gettext_lazy("Năm không hợp lệ."),
        },
    )

    def __init__(self, data, *, issuers):
        super().__init__(data)
        self.fields["loai"].choices = [("", _("Tất cả"))] + list(DocumentKind.choices)
        self.fields["loai"].error_messages["invalid_choice"] = _("Loại văn bản không hợp lệ.")
        last_year = timezone.localdate().year + 1
        self.fields["nam"].validators.append(
            MaxValueValidator(last_year, message=_("Năm không hợp lệ."))
        )
        self.fields["nam"].widget.attrs.update({"inputmode": "numeric", "max": last_year})
        self.fields["don-vi"] = forms.TypedChoiceField(
            label=_("Đơn vị ban hành"),
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", _("Tất cả"))] + [(str(pk), name) for pk, name in issuers],
            error_messages={
                "invalid_choice": _("Đơn vị ban hành không có trong danh sách của đồng chí.")
            },
        )
        self.order_fields(["q", "so", "loai", "don-vi", "nam"])

    def values(self):
        """The valid filters (an invalid field drops out; its error is shown)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


def filter_documents(queryset, values):
    if "loai" in values:
        queryset = queryset.filter(kind=values["loai"])
    if "don-vi" in values:
        queryset = queryset.filter(issuer_org_id=values["don-vi"])
    if "nam" in values:
        year = values["nam"]
        queryset = queryset.filter(
            issued_on__gte=date(year, 1, 1), issued_on__lt=date(year + 1, 1, 1)
        )
    if "so" in values:
        # search_folded starts with the folded number: a match inside the number is a match
        # found within its first len(number) characters.
        wanted = fold(values["so"])
        if wanted:
            queryset = (
                queryset.filter(search_folded__contains=wanted)
                .alias(
                    number_at=StrIndex("search_folded", Value(wanted)),
                )
                .filter(number_at__gte=1, number_at__lte=Length("number") - len(wanted) + 1)
            )
    for token in tokens(values.get("q", "")):
        queryset = queryset.filter(search_folded__contains=token)
    return queryset


@never_cache
@login_required
@require_GET
def library(request):
    issuers = issuer_choices(request.user)
    form = LibraryFilter(request.GET or None, issuers=issuers)
    values = form.values() if request.GET else {}
    documents = (
        reading.readable(request.user, DocumentPage)
        .select_related("issuer_org")
        .only(*LIST_DOCUMENT_FIELDS)
        .order_by("-issued_on", "-pk")
    )
    documents = filter_documents(documents, values)
    page = Paginator(documents, PER_PAGE).get_page(request.GET.get("trang"))
    rows = list(page.object_list)
    labels = {
        value: str(label) for value, label in DocumentKind.choices
    }  # translated once, not per row
    for doc in rows:
        doc.kind_label = labels.get(doc.kind, doc.kind)
    query = request.GET.copy()
    query.pop("trang", None)
    return render(
        request,
        "editorial/library.html",
        {
            "form": form,
            "page_obj": page,
            "documents": rows,
            "filtered": bool(values),
            "active": active_filters(values, issuers),
            "query": query.urlencode(),
            "section": "library",
        },
    )


def active_filters(values, issuers):
    """The filters in force, as the member reads them ("Nghị quyết", "Năm 2026", …)."""
    shown = []
    if "q" in values:
        shown.append(_("Từ khóa: “%(q)s”") % {"q": values["q"]})
    if "so" in values:
        shown.append(_("Số hiệu: %(so)s") % {"so": values["so"]})
    if "loai" in values:
        shown.append(DocumentKind(values["loai"]).label)
    if "don-vi" in values:
        shown.append(dict(issuers).get(values["don-vi"], ""))
    if "nam" in values:
        shown.append(_("Năm %(year)s") % {"year": values["nam"]})
    return [text for text in shown if text]


# --- news ---------------------------------------------------------------------------------


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


# --- bookmarks ----------------------------------------------------------------------------


def _readable_page(user, page_id):
    """The live news or document page ``page_id`` if the user may read it (else None)."""
    for model in (DocumentPage, NewsPage):
        page = reading.readable(user, model).filter(pk=page_id).only("title", "url_path").first()
        if page is not None:
            return page
    return None


@never_cache
@login_required
@require_GET
def bookmarks(request):
    """The member's bookmarks that they may still read (a page that left their scope is not
    shown), the newest first. Three queries: the bookmarks, then documents and news."""
    member = scope.subject(request.user)
    items = []
    if member is not None:
        marked = list(
            Bookmark.objects.filter(member_id=member.member_id)
            .order_by("-created_at", "-pk")
            .values_list("page_id", "created_at")[:BOOKMARKS_SHOWN]
        )
        when = dict(marked)
        if marked:
            documents = (
                reading.readable(request.user, DocumentPage)
                .filter(pk__in=when)
                .select_related("issuer_org")
                .only(*LIST_DOCUMENT_FIELDS)
            )
            news = (
                reading.readable(request.user, NewsPage)
                .filter(pk__in=when)
                .select_related("issuer_org")
                .only(*LIST_NEWS_FIELDS)
            )
            items = [("document", d) for d in documents] + [("news", n) for n in news]
            items.sort(key=lambda item: when[item[1].pk], reverse=True)
    return render(
        request,
        "editorial/bookmarks.html",
        {
            "items": items,
            "is_member": member is not None,
            "section": "bookmarks",
        },
    )


@login_required
@require_POST
def bookmark_toggle(request, page_id):
    """Add (``luu=1``), remove (``luu=0``) or, without ``luu``, toggle a bookmark. Idempotent
    with ``luu``; 404 for a page the user may not read or for a user who is not a member."""
    member = scope.subject(request.user)
    page = _readable_page(request.user, page_id) if member is not None else None
    if page is None:
        raise Http404
    wanted = request.POST.get("luu")
    existing = Bookmark.objects.filter(member_id=member.member_id, page_id=page.pk)
    if wanted not in ("0", "1"):
        wanted = "0" if existing.exists() else "1"
    if wanted == "1":
        Bookmark.objects.bulk_create(
            [Bookmark(member_id=member.member_id, page_id=page.pk)], ignore_conflicts=True
        )
        messages.success(request, _("Đã lưu vào mục Đọc sau."))
    else:
        existing.delete()
        messages.success(request, _("Đã bỏ khỏi mục Đọc sau."))
    target = request.POST.get("next") or page.get_url(request) or "/doc-sau/"
    if not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        target = "/doc-sau/"
    # The address itself, never a view name: redirect("abc") would try reverse("abc") (a 500).
    return HttpResponseRedirect(target)


# --- files --------------------------------------------------------------------------------


@never_cache
@xframe_options_sameorigin  # the document page shows its PDF in an <iframe>
@login_required
@require_GET
def file_download(request, file_id):
    """A library file, iff the user may read a page it belongs to (or may edit it): 404
    otherwise. ``?xem=1`` shows a PDF in the browser; everything else is downloaded. A
    member's download is counted against the page the file belongs to (one page they may read
    is enough)."""
    user = request.user
    access = reading.file_access(user, file_id)
    if access is None or not access[0].file:
        raise Http404
    stored, page_id = access
    content_type = stored.content_type or files.content_type_for(stored.file.name)
    inline = request.GET.get("xem") == "1" and content_type == "application/pdf"
    if page_id is not None and not inline:
        # Shown in the page's viewer, the file is part of the page's open (counted there).
        reading.record(user, Page(pk=page_id), "downloads")
    return files.serve_private(stored.file, content_type=content_type, download=not inline)
