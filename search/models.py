"""The database index: one row per findable item of every registered kind (``Entry``).

It is what the database backend searches (the embedded default) and what the engine's documents
are built from, written by the same outbox job. An entry is ``Published`` like the items it
stands for: its audience (unit, positions, groups) and its issuer, so the one scope engine
(``scope.visible_to``) filters it, with the kind's own view capability for staff.

On PostgreSQL the migration adds a generated ``tsvector`` column (title and number weighted
above the body) with a GIN index, and a GIN index over the title words for autocomplete: a
query reads the index, never every row. SQLite (the demo) matches folded words with ``LIKE``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sotay_plugins.orgtree.models import Published
from sotay_plugins.orgtree.scope import ScopeSpec

BODY_LIMIT = 20_000  # characters of original text kept for snippets (and folded for matching)


class Entry(Published):
    kind = models.CharField(_("loại"), max_length=40)
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(_("tiêu đề"), max_length=500)
    title_lower = models.CharField(max_length=500, default="", blank=True)
    title_folded = models.CharField(max_length=500, default="", blank=True)
    number = models.CharField(_("số hiệu"), max_length=100, blank=True, default="")
    number_key = models.CharField(max_length=100, blank=True, default="")
    body = models.TextField(blank=True, default="")
    folded = models.TextField(blank=True, default="")
    date = models.DateTimeField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    issuer_name = models.CharField(max_length=255, blank=True, default="")
    indexed_at = models.DateTimeField(auto_now=True)

    # view_capability is given per kind by the caller (``visible_to(..., capability=)``).
    scope = ScopeSpec(org_field="issuer_org", view_capability="search.none", audience=True)

    class Meta:
        verbose_name = _("mục chỉ mục tìm kiếm")
        verbose_name_plural = _("chỉ mục tìm kiếm")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_item")
        ]
        indexes = [
            models.Index(fields=["kind", "date"], name="search_entry_kind_date"),
            models.Index(fields=["audience_org", "date"], name="search_entry_audience"),
            models.Index(fields=["issuer_org"], name="search_entry_issuer"),
            models.Index(fields=["number_key"], name="search_entry_number"),
        ]

    def __str__(self):
        return f"{self.kind}:{self.object_id} {self.title}"
