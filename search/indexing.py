"""Keeping the indexes current: the database index (``Entry``) always, the engine's too when one
is configured.

Incremental: a save or deletion of a registered kind's model (publish, unpublish, a scope
change: all saves; a deletion) or of one of its ``related`` models enqueues one outbox job
(``SYNC_JOB``, deduplicated per item while it waits) inside the writer's transaction. The job
reads the item as the database has it now: findable (live) → written to both indexes; gone,
withdrawn or no longer findable → removed from both, in the same job. It is idempotent; if the
engine is down it still updates the database index, then fails so the outbox retries it.

Full: ``rebuild()`` (``manage.py reindex_search``, and the demo seeder) writes every findable
item of every kind, in batches, with progress; on the engine into a new index, then swaps the
alias.
"""

from __future__ import annotations

import logging
import time

from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from sotay_plugins import jobs
from sotay_plugins.models import OutboxJob

from . import documents
from .backends import database
from .backends import engine as engine_backend

log = logging.getLogger(__name__)
SYNC_JOB = "search.indexing.sync_job"
BATCH = 500
ENGINE_BATCH = 100  # documents per bulk request (a stand-in engine is slow on big ones)


def _enqueue(kind_key, pk):
    key = f"search.sync:{kind_key}:{pk}"
    try:
        with transaction.atomic():
            jobs.enqueue(SYNC_JOB, dedupe_key=key, kind=kind_key, ids=[pk])
    except IntegrityError:
        if not OutboxJob.objects.filter(
            dedupe_key=key, state__in=[OutboxJob.State.PENDING, OutboxJob.State.QUEUED]
        ).exists():
            raise


def sync(kind_key, ids, client=None):
    """Bring the items ``ids`` of ``kind_key`` up to date in both indexes. Returns
    ``(written, removed)``."""
    from sotay_plugins.registry import registry

    kind = registry.searchable.get(kind_key)
    ids = [int(i) for i in ids]
    if kind is None:
        database.remove(kind_key, ids)
        return 0, len(ids)
    paths = documents.OrgPaths()
    found = list(documents.findable(kind).filter(pk__in=ids))
    docs = [documents.build(kind, obj, paths) for obj in found]
    docs = [d for d in docs if d.issuer_org_id and d.audience_org_id]
    gone = sorted(set(ids) - {d.object_id for d in docs})
    database.store(docs)
    if gone:
        database.remove(kind_key, gone)
    if engine_backend.flavour():
        client = client or engine_backend.Client(request_timeout=engine_backend.write_timeout())
        lines = engine_backend.bulk_lines(
            engine_backend.alias(), docs, [f"{kind_key}:{pk}" for pk in gone]
        )
        client.bulk(lines, refresh=True)
    return len(docs), len(gone)


def sync_job(*, job, kind, ids):
    written, removed = sync(kind, ids)
    return {"kind": kind, "written": written, "removed": removed}


def _progress(stdout, done, total, started):
    if stdout is None:
        return
    rate = done / max(time.monotonic() - started, 1e-6)
    width = 30
    filled = int(width * done / total) if total else width
    stdout.write(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
        f"({100 * done // max(total, 1)} %, {rate:.0f}/s)",
        ending="",
    )
    stdout.flush()


def rebuild(stdout=None, *, engine=True, database_index=True, client=None):
    """Re-index everything findable. Returns a summary dict."""
    started = time.monotonic()
    kinds = documents.kinds()
    totals = {k.key: documents.findable(k).count() for k in kinds}
    total = sum(totals.values())
    use_engine = engine and engine_backend.flavour() is not None
    name = None
    if use_engine:
        client = client or engine_backend.Client(request_timeout=600)
        alias = engine_backend.alias()
        name = f"{alias}-{timezone.now():%Y%m%d%H%M%S%f}"
        client.create_index(name, engine_backend.index_definition(name))
    paths = documents.OrgPaths()
    done, spent = 0, {"build": 0.0, "database": 0.0, "engine": 0.0}
    seen = {}
    for kind in kinds:
        seen[kind.key] = set()
        queryset = documents.findable(kind).order_by("pk")
        last = 0
        while True:
            batch = list(queryset.filter(pk__gt=last)[:BATCH])
            if not batch:
                break
            last = batch[-1].pk
            mark = time.monotonic()
            docs = [documents.build(kind, obj, paths) for obj in batch]
            docs = [d for d in docs if d.issuer_org_id and d.audience_org_id]
            seen[kind.key].update(d.object_id for d in docs)
            spent["build"] += time.monotonic() - mark
            mark = time.monotonic()
            if database_index:
                database.store(docs)
            spent["database"] += time.monotonic() - mark
            mark = time.monotonic()
            if use_engine:
                for start in range(0, len(docs), ENGINE_BATCH):
                    client.bulk(engine_backend.bulk_lines(name, docs[start : start + ENGINE_BATCH]))
            spent["engine"] += time.monotonic() - mark
            done += len(batch)
            _progress(stdout, done, total, started)
    if database_index:
        from .models import Entry

        Entry.objects.exclude(kind__in=list(seen)).delete()
        database.index_changed()
        for key, ids in seen.items():
            existing = set(Entry.objects.filter(kind=key).values_list("object_id", flat=True))
            stale = sorted(existing - ids)
            for start in range(0, len(stale), 5000):
                database.remove(key, stale[start : start + 5000])
        database.analyze()
    if use_engine:
        client.refresh(name)
        old = client.aliased(alias)
        client.swap_alias(alias, name, old)
        for index in old:
            try:
                client.delete_index(index)
            except engine_backend.EngineError:
                log.warning("search: old index %s not deleted", index)
    if stdout is not None:
        stdout.write("")
    return {
        "items": total,
        "kinds": totals,
        "index": name,
        "seconds": round(time.monotonic() - started, 1),
        "spent": {k: round(v, 1) for k, v in spent.items()},
    }


# --- receivers ------------------------------------------------------------------------------

_ROUTES = {"size": -1, "map": {}}


def _routes():
    """{model: [(kind key, field or None)]} from the registry, rebuilt when kinds are added (a
    module may register after search is ready)."""
    from sotay_plugins.registry import registry

    if _ROUTES["size"] != len(registry.searchable):
        routes = {}
        for kind in registry.searchable.values():
            routes.setdefault(kind.model, []).append((kind.key, None))
            for model, field in kind.related:
                routes.setdefault(model, []).append((kind.key, field))
        _ROUTES.update(size=len(registry.searchable), map=routes)
        for model in routes:
            _connect_deletions(model)
    return _ROUTES["map"]


def _connect_deletions(model):
    """``post_delete`` of the models of the registered kinds only. A receiver of every model's
    deletions would make Django fetch and signal row by row every bulk delete in the project
    (a QuerySet.delete() deletes in one statement only when nobody listens): the roll-ups'
    refresh spent a third of its time so."""
    post_delete.connect(
        on_change, sender=model, dispatch_uid=f"search.indexing.deleted.{model._meta.label}"
    )


def on_change(sender, instance, **kwargs):
    """post_save of any model, post_delete of the registered kinds' models: enqueue the sync of
    the items it touches."""
    if kwargs.get("raw"):
        return
    targets = _routes().get(sender)
    if not targets:
        return
    for kind_key, field in targets:
        pk = instance.pk if field is None else getattr(instance, field, None)
        if pk is not None:
            _enqueue(kind_key, pk)


def connect():
    from sotay_plugins import signals

    post_save.connect(on_change, dispatch_uid="search.indexing.saved")
    # the kinds registered so far (every built-in module is before search in INSTALLED_APPS);
    # one registered later connects when the routes are rebuilt, at the first save after it
    _routes()
    signals.org_moved.connect(_on_org_moved, dispatch_uid="search.indexing.org_moved")


def _on_org_moved(sender, org=None, **kwargs):
    """A unit moved: the issuer paths under it changed (the engine stores them)."""
    if org is None or not engine_backend.flavour():
        return
    jobs.enqueue("search.indexing.org_moved_job", org_id=org.pk)


def org_moved_job(*, job, org_id):
    from sotay_plugins.orgtree import scope
    from sotay_plugins.orgtree.models import Organisation

    from .models import Entry

    unit = Organisation._default_manager.filter(pk=org_id).first()
    if unit is None:
        return {"skipped": "gone"}
    rows = Entry.objects.filter(scope.within(unit, "issuer_org")).values_list("kind", "object_id")
    by_kind = {}
    for kind, pk in rows:
        by_kind.setdefault(kind, []).append(pk)
    for kind, ids in by_kind.items():
        for start in range(0, len(ids), BATCH):
            sync(kind, ids[start : start + BATCH])
    return {"items": sum(len(v) for v in by_kind.values())}
