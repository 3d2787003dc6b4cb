"""The member's library (/thu-vien/): scoped documents with filters (keyword, number, kind,
issuing unit, year). Every row comes from ``reading.readable`` (the scope engine)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator
from django.db.models import Q, Value
from django.db.models.functions import Length, StrIndex
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.models import Organisation
from sotay_plugins.text import fold, tokens

from .. import reading
from ..choices import DocumentKind
from ..models import VIEW_LIBRARY, DocumentPage

PER_PAGE = 20
FIRST_YEAR = 1930

LIST_DOCUMENT_FIELDS = ("title", "url_path", "number", "kind", "issued_on", "issuer_org__name")


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
            q |= scope.containing(member)
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
