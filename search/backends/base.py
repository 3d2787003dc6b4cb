"""What every backend answers: a ``Query`` in, a ``Page`` of ``Hit`` rows with facets out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone


@dataclass(frozen=True)
class Query:
    raw: str  # as typed (trimmed, capped): exact-diacritic matches rank first
    words: tuple  # folded words (sotay_plugins.text.tokens)
    kinds: tuple  # SearchableKind objects searched
    kind: str | None = None  # facet selections (hits and count; facets ignore them)
    issuer: int | None = None
    year: int | None = None
    sort: str = "relevance"  # or "date"
    offset: int = 0
    limit: int = 20

    @property
    def folded(self):
        return " ".join(self.words)


@dataclass
class Hit:
    kind: str
    kind_label: str
    id: int
    title: str
    issuer_org: int | None
    audience_org: int | None
    date: datetime | None
    issuer_name: str = ""
    number: str = ""
    title_html: str = ""
    snippet: str = ""
    score: float = 0.0

    def _local_date(self):
        """The date in the site's time zone (Asia/Ho_Chi_Minh): a document issued on 01/05 is
        "2024-05-01T00:00:00+07:00", not the UTC instant that reads as the day before."""
        if self.date is None:
            return None
        return (
            timezone.localtime(self.date) if timezone.is_aware(self.date) else self.date
        ).isoformat()

    def as_dict(self):
        return {
            "kind": self.kind,
            "kind_label": self.kind_label,
            "id": self.id,
            "title": self.title,
            "issuer_org": self.issuer_org,
            "audience_org": self.audience_org,
            "issuer_name": self.issuer_name,
            "number": self.number,
            "date": self._local_date(),
            "title_html": str(self.title_html),
            "snippet": str(self.snippet),
            "url": f"/tim-kiem/mo/{self.kind}/{self.id}/",
        }


@dataclass
class Page:
    hits: list
    count: int
    facets: dict = field(default_factory=dict)  # {"kind": [(key, label, n)], "issuer": …}
    backend: str = "database"
    notice: str = ""  # for the member: why the answer came from the database
    #: The backend checked the hits against the items themselves (``documents.candidates``)
    #: as the engine's ``_verified`` does: a withdrawn or narrowed item is already dropped.
    checked: bool = False

    @property
    def counts(self):
        return {key: n for key, _label, n in self.facets.get("kind", [])}
