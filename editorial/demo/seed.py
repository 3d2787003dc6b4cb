"""Writing the demo: sections, pages (bulk), files and links, then the receipts (``seed``)."""

from __future__ import annotations

import hashlib
import time
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils.text import slugify
from wagtail.models import Collection, Page

from sotay_plugins.text import fold

from ..choices import DocumentKind
from ..models import DocumentFile, DocumentLink, DocumentPage, LibraryFile, NewsPage
from ..sections import home_page, section_for
from .pdf import document_pdf, store_pdf
from .plan import _rng, committee_name, plan
from .receipts import add_receipts, analyze
from .texts import ABBREV, SCALES

# --- writing -------------------------------------------------------------------------------------


def _insert_rows(model, objs):
    """INSERT the rows of ``model``'s own table (a multi-table child: ``page_ptr_id`` set)."""
    fields = model._meta.local_concrete_fields
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    batch = max(
        1,
        connection.ops.bulk_batch_size(fields, objs)
        if connection.vendor == "sqlite"
        else 60000 // len(fields),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start : start + batch]
            params = [
                f.get_db_prep_save(getattr(obj, f.attname), connection)
                for obj in chunk
                for f in fields
            ]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(chunk))}",  # noqa: S608
                params,
            )


def bulk_pages(section, objs, rng):
    """Add ``objs`` (unsaved NewsPage/DocumentPage instances, in order) as live children of
    ``section``: treebeard paths computed here, one ``bulk_create`` of the base rows, multi-row
    INSERTs of the child rows, the section's ``numchild`` set."""
    if not objs:
        return
    siblings = Page.objects.filter(path__startswith=section.path, depth=section.depth + 1)
    last = (
        siblings.order_by("-path").values_list("path", flat=True).first()
        if section.numchild
        else None
    )
    start = Page._str2int(last[-Page.steplen :]) + 1 if last else 1
    base_fields = [f for f in Page._meta.concrete_fields if not f.primary_key]
    slugs = set(siblings.values_list("slug", flat=True)) if section.numchild else set()
    for i, obj in enumerate(objs):
        obj.path = Page._get_path(section.path, section.depth + 1, start + i)
        obj.depth = section.depth + 1
        obj.numchild = 0
        slug = slugify(fold(obj.title))[:80].strip("-") or "bai"
        candidate, n = slug, 1
        while candidate in slugs:
            n += 1
            candidate = f"{slug}-{n}"
        slugs.add(candidate)
        obj.slug = candidate
        obj.url_path = f"{section.url_path}{candidate}/"
        obj.locale_id = section.locale_id
        obj.translation_key = uuid.UUID(int=rng.getrandbits(128), version=4)
        obj.draft_title = obj.title
        obj.live, obj.has_unpublished_changes = True, False
        obj.first_published_at = obj.last_published_at = obj.latest_revision_created_at = (
            obj.published_at
        )
        obj.search_folded = obj.folded_text()
    bases = Page.objects.bulk_create(
        [Page(**{f.attname: getattr(obj, f.attname) for f in base_fields}) for obj in objs],
        batch_size=1000,
    )
    for obj, row in zip(objs, bases, strict=True):
        obj.pk = obj.id = obj.page_ptr_id = row.pk
    _insert_rows(type(objs[0]), objs)
    Page.objects.filter(pk=section.pk).update(numchild=section.numchild + len(objs))
    section.numchild += len(objs)


def seed(*, scale="tiny", seed=1, stdout=None):
    """Write the demo newsroom and library (the ``DemoSeeder`` registered by ``register_demo``)."""
    started = time.monotonic()
    cfg = SCALES[scale]
    home = home_page()
    documents, news = plan(scale, seed)
    if home is None or not (documents or news):
        if stdout:
            stdout.write("Không có trang chủ hoặc tổ chức: bỏ qua tin bài, văn bản mẫu.")
        return None
    rng = _rng(f"pages-{seed}")
    with transaction.atomic():
        sections = {}
        for spec in [*documents, *news]:
            if spec.org.pk not in sections:
                sections[spec.org.pk] = section_for(spec.org, home=home)
        children = {}
        doc_ct = ContentType.objects.get_for_model(DocumentPage)
        news_ct = ContentType.objects.get_for_model(NewsPage)
        for spec in documents:
            page = DocumentPage(
                title=spec.title,
                content_type=doc_ct,
                issuer_org=spec.org,
                audience_org=spec.audience,
                audience_positions=spec.positions,
                audience_groups=spec.groups,
                published_at=spec.published_at,
                number=spec.number,
                kind=spec.kind,
                issued_on=spec.issued_on,
                advisory_body=spec.body,
                summary=spec.summary,
                is_classified=False,
            )
            children.setdefault(spec.org.pk, []).append((spec, page))
        for spec in news:
            page = NewsPage(
                title=spec.title,
                content_type=news_ct,
                issuer_org=spec.org,
                audience_org=spec.audience,
                published_at=spec.published_at,
                category=spec.category,
                lead=spec.lead,
                body=spec.body,
                author=spec.author,
                source=spec.source,
                featured=spec.featured,
            )
            children.setdefault(spec.org.pk, []).append((spec, page))
        for org_id in sorted(children):
            items = sorted(children[org_id], key=lambda item: (item[1].published_at, item[1].title))
            for model in (DocumentPage, NewsPage):
                of_kind = [item for item in items if isinstance(item[1], model)]
                bulk_pages(sections[org_id], [page for _spec, page in of_kind], rng)
                for spec, page in of_kind:
                    spec.page_id = page.pk
        files = attach_files(documents, cfg, seed)
        links = [
            DocumentLink(page_id=spec.page_id, target_id=target.page_id, kind=kind, sort_order=i)
            for spec in documents
            for i, (kind, target) in enumerate(spec.links)
        ]
        DocumentLink.objects.bulk_create(links, batch_size=5000)
        receipts = add_receipts(documents, news, cfg["receipts"], seed)
    analyze()
    spoken = speak_newest()
    elapsed = time.monotonic() - started
    if stdout:
        stdout.write(
            f"Đã tạo {len(sections)} chuyên mục, {len(news)} tin bài, {len(documents)} văn bản "
            f"({files} tệp PDF), {receipts} lượt đọc, {spoken} bản đọc trong {elapsed:.1f} giây."
        )
    return {
        "sections": len(sections),
        "news": len(news),
        "documents": len(documents),
        "pdfs": files,
        "receipts": receipts,
        "spoken": spoken,
    }


#: The demo's audio versions: the newest pages addressed to the whole province (every demo member
#: reads them), so that the player shows without running ``generate_audio`` first.
DEMO_SPOKEN = {DocumentPage: 3, NewsPage: 2}


def speak_newest():
    """Audio versions (``sotay_plugins.speech``) of the newest province-wide documents and news,
    made now, where audio is made on publish (not in the tests) and espeak-ng is installed.
    Returns how many pages have one."""
    from django.conf import settings

    from sotay_plugins import speech

    if not getattr(settings, "SOTAY_SPEECH_ON_PUBLISH", True) or not speech.espeak_path():
        return 0
    done = 0
    for model, count in DEMO_SPOKEN.items():
        newest = model.objects.live().filter(audience_org__level=0).order_by("-published_at")
        for page in newest.select_related("issuer_org")[:count]:
            result = speech.generate(page)
            done += bool(result.get("made") or result.get("cached"))
    return done


def attach_files(documents, cfg, seed):
    """One LibraryFile and one DocumentFile row per document; the PDFs: one per document (tiny)
    or one per kind and level, shared by the rows. Returns the number of PDFs stored."""
    collection_id = Collection.get_first_root_node().pk
    stored = {}
    rows = []
    for spec in documents:
        label = DocumentKind(spec.kind).label
        if cfg["own_pdf"]:
            key = spec.page_id
            name = f"library/demo/{slugify(fold(spec.number))}-{spec.page_id}.pdf"
        else:
            key = (spec.kind, spec.level)
            name = f"library/demo/{spec.kind}-{spec.level}.pdf"
        if key not in stored:
            if cfg["own_pdf"]:
                data = document_pdf(
                    issuer=spec.body.name if spec.body else committee_name(spec.org),
                    kind_label=label,
                    number=spec.number,
                    issued_on=spec.issued_on,
                    summary=spec.summary,
                )
            else:
                level_name = {"province": "TỈNH ỦY", "district": "HUYỆN ỦY", "base": "ĐẢNG ỦY"}[
                    spec.level
                ]
                data = document_pdf(
                    issuer=level_name,
                    kind_label=label,
                    number=f"…-{ABBREV[spec.kind]}/…",
                    issued_on=None,
                    summary=f"{label} mẫu (dùng chung cho dữ liệu trình diễn)",
                )
            stored[key] = (store_pdf(name, data), len(data), hashlib.sha1(data).hexdigest())  # noqa: S324 (Wagtail's file_hash)
        path, size, digest = stored[key]
        rows.append(
            LibraryFile(
                title=f"{label} {spec.number}",
                file=path,
                file_size=size,
                file_hash=digest,
                content_type="application/pdf",
                collection_id=collection_id,
            )
        )
    LibraryFile.objects.bulk_create(rows, batch_size=2000)
    DocumentFile.objects.bulk_create(
        [
            DocumentFile(page_id=spec.page_id, file_id=row.pk, sort_order=0, label=row.title)
            for spec, row in zip(documents, rows, strict=True)
        ],
        batch_size=2000,
    )
    return len(stored)
