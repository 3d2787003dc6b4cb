"""What a registered kind's item becomes in the index: one ``Doc``, built generically from the
``SearchableKind`` declaration (title, number, text, files, audience, issuer), the same for
the database index (``Entry``) and the engine's documents.

Folding is ``sotay_plugins.text`` (lower case, no diacritics, đ→d) on both sides: the text is
stored folded as words, a query is folded into the same words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.utils import timezone

from sotay_plugins.orgtree import scope
from sotay_plugins.registry import registry
from sotay_plugins.text import fold, tokens

from .extract import file_text

ENGINE_BODY_LIMIT = 100_000


def number_key(text):
    """A document number as one key whatever its separators: "12-NQ/TW", "12/NQ-TW" and
    "12 nq tw" are all "12nqtw"."""
    return re.sub(r"[^0-9a-z]+", "", fold(text or ""))


def number_keys(query):
    """The document numbers a query may hold, as keys: the whole query and every tail that
    starts with a number ("nghị quyết số 12-NQ/TW" → "12nqtw", …)."""
    words = tokens(query)
    keys = {"".join(words)}
    keys.update("".join(words[i:]) for i, w in enumerate(words) if w[:1].isdigit())
    return sorted(k for k in keys if len(k) >= 3 and any(ch.isdigit() for ch in k))


#: The letters a party document's number gives its kind (Quy định 66-QĐ/TW, Hướng dẫn 36-HD/TW):
#: the kind's name folded into its words → those letters folded.
KIND_LETTERS = {
    ("nghi", "quyet"): "nq",
    ("chi", "thi"): "ct",
    ("ket", "luan"): "kl",
    ("quyet", "dinh"): "qd",
    ("quy", "dinh"): "qdi",
    ("ke", "hoach"): "kh",
    ("huong", "dan"): "hd",
    ("thong", "bao"): "tb",
    ("cong", "van"): "cv",
    ("bao", "cao"): "bc",
    ("to", "trinh"): "ttr",
    ("thong", "tri"): "tt",
    ("chuong", "trinh"): "ctr",
    ("quy", "che"): "qc",
    ("de", "an"): "da",
}


def number_prefixes(query):
    """How a document's number starts when a query names its kind and number: "nghị quyết (số)
    12" and "NQ 12" → "12nq" (the start of "12nqtw", 12-NQ/TW's key), so the resolution itself
    ranks above the plans whose titles cite "Nghị quyết số 12-NQ/TW"."""
    words = tokens(query)
    letters = set(KIND_LETTERS.values())
    found = set()
    for i, word in enumerate(words):
        if not word.isdigit():
            continue
        j = i - 1 if i and words[i - 1] != "so" else i - 2
        if j >= 0 and words[j] in letters:
            found.add(word + words[j])
        elif j >= 1 and (words[j - 1], words[j]) in KIND_LETTERS:
            found.add(word + KIND_LETTERS[(words[j - 1], words[j])])
    return sorted(found)


def folded_words(text):
    return " ".join(tokens(text))


@dataclass
class Doc:
    kind: str
    object_id: int
    title: str
    number: str
    body: str
    date: datetime | None
    issuer_org_id: int | None
    issuer_name: str
    audience_org_id: int | None
    positions: frozenset = field(default_factory=frozenset)
    groups: frozenset = field(default_factory=frozenset)
    issuer_path: list = field(default_factory=list)

    @property
    def key(self):
        return f"{self.kind}:{self.object_id}"

    @property
    def year(self):
        return self.date.year if self.date else None


def kinds():
    return sorted(registry.searchable.values(), key=lambda k: (k.order, k.key))


def _items(kind):
    return kind.queryset() if kind.queryset else kind.model._default_manager.all()


def candidates(user, kind):
    """Everything of ``kind`` the user may find now (before the words): the kind's findable
    items (``queryset``) as the scope engine filters them for ``user``."""
    return scope.visible_to(user, _items(kind))


def findable(kind):
    """The items of ``kind`` that may be found at all (live, not withdrawn), before scope."""
    queryset = _items(kind)
    spec = scope.spec_of(kind.model)
    related = [spec.org_field] if spec.org_field else []
    if spec.audience:
        related.append("audience_org")
    if related:
        queryset = queryset.select_related(*related)
    if kind.prefetch:
        queryset = queryset.prefetch_related(*kind.prefetch)
    return queryset


class OrgPaths:
    """Organisation ancestors, read once per batch (the engine stores the issuer's path)."""

    def __init__(self):
        from sotay_plugins.orgtree.models import Organisation

        self.parent = dict(Organisation._default_manager.values_list("pk", "parent_id"))

    def path(self, org_id):
        out, seen = [], set()
        while org_id is not None and org_id not in seen:
            seen.add(org_id)
            out.append(org_id)
            org_id = self.parent.get(org_id)
        return out


def _as_datetime(value):
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time()))
    return None


def _name(org):
    return getattr(org, "name", "") if org is not None else ""


def build(kind, obj, paths: OrgPaths | None = None) -> Doc:
    spec = scope.spec_of(kind.model)
    issuer = scope.org_of(obj) if spec.org_field else None
    if kind.audience:
        audience, positions, groups = kind.audience(obj)
    else:
        audience = getattr(obj, "audience_org", None)
        positions = getattr(obj, "audience_positions", None)
        groups = getattr(obj, "audience_groups", None)
    audience_id = getattr(audience, "pk", audience)
    parts = [kind.text(obj) if kind.text else ""]
    if kind.files:
        parts.extend(file_text(f) for f in kind.files(obj) or ())
    body = "\n".join(p for p in parts if p).strip()
    return Doc(
        kind=kind.key,
        object_id=obj.pk,
        title=str(getattr(obj, kind.title_field, "") or "")[:500],
        number=str(getattr(obj, kind.number_field, "") or "")[:100] if kind.number_field else "",
        body=body[:ENGINE_BODY_LIMIT],
        date=_as_datetime(getattr(obj, kind.date_field, None)) if kind.date_field else None,
        issuer_org_id=getattr(issuer, "pk", None),
        issuer_name=_name(issuer),
        audience_org_id=audience_id,
        positions=frozenset(positions or ()),
        groups=frozenset(groups or ()),
        issuer_path=(paths or OrgPaths()).path(getattr(issuer, "pk", None)),
    )
