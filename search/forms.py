"""The staff search's query string read as a form (``/quan-tri/tim-kiem/``): ``q``, ``kind``,
``issuer`` (a unit's id), ``year``, ``sort`` (``relevance``/``date``); the page (``p``, as in
Wagtail's own listings) is read by the view.

A value that does not parse is dropped with a Vietnamese message (the search still runs without
it), never a server error. The filters' choices come from the page's facets, so each option
shows how many hits it holds (``with_facets``)."""

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import engine

MAX_ID = 2**31 - 1  # an issuer id beyond an integer column would fail in the database

#: a filter chosen submits the form at once (Wagtail's own Stimulus controller; the form's
#: button does it without JavaScript); ``w-w-full`` keeps a long unit's name inside the filters'
#: column (without it the issuer's list ran past the window's edge at 1280 px)
SUBMIT_ON_CHANGE = {
    "data-controller": "w-submit",
    "data-action": "change->w-submit#submit",
    "class": "w-w-full",
}

SORT_CHOICES = [("relevance", _("Phù hợp nhất")), ("date", _("Mới nhất"))]


def _errors(message):
    return dict.fromkeys(
        ("invalid", "invalid_choice", "min_value", "max_value", "max_length"), message
    )


class AdminSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Từ khóa hoặc số văn bản"),
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"type": "search", "maxlength": engine.MAX_QUERY_CHARS}),
    )
    kind = forms.ChoiceField(
        label=_("Loại"),
        required=False,
        widget=forms.Select(attrs=SUBMIT_ON_CHANGE),
        error_messages=_errors(_("Loại nội dung không hợp lệ: đã bỏ lọc theo loại.")),
    )
    issuer = forms.IntegerField(
        label=_("Đơn vị ban hành"),
        required=False,
        min_value=1,
        max_value=MAX_ID,
        widget=forms.Select(attrs=SUBMIT_ON_CHANGE),
        error_messages=_errors(_("Đơn vị ban hành không hợp lệ: đã bỏ lọc theo đơn vị.")),
    )
    year = forms.IntegerField(
        label=_("Năm"),
        required=False,
        min_value=1,
        max_value=9999,
        widget=forms.Select(attrs=SUBMIT_ON_CHANGE),
        error_messages=_errors(_("Năm không hợp lệ: đã bỏ lọc theo năm.")),
    )
    sort = forms.ChoiceField(
        label=_("Sắp xếp"),
        required=False,
        choices=SORT_CHOICES,
        widget=forms.Select(attrs=SUBMIT_ON_CHANGE),
        error_messages=_errors(_("Cách sắp xếp không hợp lệ: đang xếp theo mức phù hợp.")),
    )

    def __init__(self, data, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.kinds = engine.kinds()
        self.fields["kind"].choices = [("", _("Tất cả"))] + [(k.key, k.label) for k in self.kinds]
        self.labels = {}
        typed = " ".join(self.data.get("q", "").split())
        self.cut = len(typed) > engine.MAX_QUERY_CHARS
        # a bad value is dropped with its reason (``dropped``), not a reason to refuse the page;
        # the form then shows what is searched: the query as cut, no dropped value chosen
        self.is_valid()
        self.dropped = [str(error) for errors in self.errors.values() for error in errors]
        data = self.data.copy()
        for name in self.errors:
            data.pop(name, None)
        data["q"] = engine.clean(typed)
        self.data = data
        self.full_clean()
        self.with_facets({})

    @property
    def params(self):
        """What is searched: the valid values (``None`` for a value left out or dropped)."""
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "q": engine.clean(cleaned.get("q") or ""),
            "kind": cleaned.get("kind") or None,
            "issuer": cleaned.get("issuer"),
            "year": cleaned.get("year"),
            "sort": cleaned.get("sort") or "relevance",
        }

    def messages(self):
        """The Vietnamese reasons a value was dropped or cut, for the page."""
        out = list(self.dropped)
        if self.cut:
            out.append(
                gettext("Từ khóa dài quá %(n)d ký tự: chỉ tìm theo %(n)d ký tự đầu.")
                % {"n": engine.MAX_QUERY_CHARS}
            )
        return out

    def with_facets(self, facets, hits=()):
        """Filter choices from the page's facets ``{name: [(key, label, n)]}``: "label (n)".
        A value chosen that the facets leave out (no hit, or beyond the facets' top ten) stays
        a choice, so the form still shows it."""
        params = self.params
        counts = {key: n for key, _label, n in facets.get("kind", [])}
        self.fields["kind"].choices = [("", _("Tất cả"))] + [
            (k.key, f"{k.label} ({counts.get(k.key, 0)})") for k in self.kinds
        ]
        for name in ("issuer", "year"):
            labels = {str(key): label for key, label, _n in facets.get(name, [])}
            choices = [(str(key), f"{label} ({n})") for key, label, n in facets.get(name, [])]
            chosen = params[name]
            if chosen is not None and str(chosen) not in labels:
                labels[str(chosen)] = self._label_of(name, chosen, hits)
                choices.append((str(chosen), labels[str(chosen)]))
            self.labels[name] = labels
            self.fields[name].widget.choices = [("", _("Tất cả"))] + choices
        self.labels["kind"] = {k.key: k.label for k in self.kinds}

    @staticmethod
    def _label_of(name, chosen, hits):
        if name == "year":
            return str(chosen)
        # the name from a hit of that unit (hits are in the user's scope), never from the
        # organisation table: an id typed in the address bar reveals no other unit's name
        return next(
            (hit.issuer_name for hit in hits if hit.issuer_org == chosen and hit.issuer_name),
            gettext("Đơn vị đã chọn"),
        )

    def active_filters(self):
        """(label, value shown, the link without it) for each filter in force, as pills."""
        params, out = self.params, []
        for name in ("kind", "issuer", "year"):
            if params[name] is None:
                continue
            value = str(params[name])
            shown = self.labels[name].get(value, value)
            out.append(
                (self.fields[name].label, shown, "?" + self.link(**{name: None}).urlencode())
            )
        return out

    def link(self, page=None, **changes):
        """The query string of this search with ``changes`` (``None`` drops a value) and the
        page: the valid values only, so a pager's link never carries a dropped one."""
        query = QueryDict(mutable=True)
        params = {**self.params, **changes}
        if params["sort"] == "relevance":
            params["sort"] = None
        for name in ("q", "kind", "issuer", "year", "sort"):
            if params[name] not in (None, ""):
                query[name] = str(params[name])
        if page and page > 1:
            query["p"] = str(page)
        return query
