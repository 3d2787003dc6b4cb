"""The demo newsroom and library (``editorial.demo``, run by ``seed_demo`` through the registry).

One tiny province is seeded once for the module (inside a transaction rolled back at the end),
each test looks at it from its own savepoint.
"""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from editorial.choices import LinkKind
from editorial.demo import plan, receipts, texts
from editorial.models import (
    DocumentFile,
    DocumentLink,
    DocumentPage,
    NewsPage,
    ReadReceipt,
    SectionPage,
)
from editorial.services import is_classified_number
from sotay_plugins.members.models import Member
from sotay_plugins.orgtree.choices import OrgKind
from sotay_plugins.orgtree.models import Organisation
from sotay_plugins.registry import registry

SEED = 3


def inside(org, audience):
    return org.tree_id == audience.tree_id and org.lft <= audience.lft and audience.rght <= org.rght


def signature(documents, news):
    return (
        [
            (
                d.org.code,
                d.kind,
                d.number,
                d.title,
                d.summary,
                d.issued_on,
                d.audience.code,
                sorted(d.positions),
                [(k, t.number) for k, t in d.links],
            )
            for d in documents
        ],
        [
            (n.org.code, n.category, n.title, n.lead, n.body, n.author, n.featured, n.audience.code)
            for n in news
        ],
    )


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--scale", "tiny", "--seed", str(SEED), stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def world(seeded, db):
    return None


def test_seed_demo_runs_the_editorial_seeder():
    assert "editorial" in registry.demo_seeders


def test_tiny_seed_has_sections_news_and_documents_with_pdfs(world):
    province = Organisation.objects.get(kind=OrgKind.PROVINCE)
    districts = list(Organisation.objects.filter(kind=OrgKind.DISTRICT))
    sections = {s.organisation_id: s for s in SectionPage.objects.live()}
    assert province.pk in sections and all(d.pk in sections for d in districts)
    assert any(s.organisation.kind == OrgKind.BASE for s in sections.values())
    assert 25 <= NewsPage.objects.live().count() <= 35
    assert 35 <= DocumentPage.objects.live().count() <= 45
    assert NewsPage.objects.filter(featured=True).exists()
    assert len(set(NewsPage.objects.values_list("category", flat=True))) >= 4
    assert len(set(DocumentPage.objects.values_list("kind", flat=True))) >= 6
    # documents at every level, each with exactly one real PDF in private storage
    levels = set(DocumentPage.objects.values_list("issuer_org__kind", flat=True))
    assert {OrgKind.PROVINCE, OrgKind.DISTRICT, OrgKind.BASE} <= levels
    for document in DocumentPage.objects.all():
        links = list(DocumentFile.objects.filter(page=document).select_related("file"))
        assert len(links) == 1
        with links[0].file.file.open("rb") as fh:
            assert fh.read(5) == b"%PDF-"
        assert links[0].file.url == f"/tep/{links[0].file.pk}/"
        assert document.published_at and document.first_published_at and document.live
    # news bodies are StreamField paragraphs
    news = NewsPage.objects.first()
    assert news.lead and news.author and news.source
    assert [block.block_type for block in news.body].count("paragraph") >= 3


def test_district_plans_implement_provincial_resolutions(world):
    links = DocumentLink.objects.filter(kind=LinkKind.IMPLEMENTS).select_related(
        "page__issuer_org", "target__issuer_org"
    )
    assert links.exists()
    for link in links:
        assert link.page.kind == "ke_hoach"
        assert link.target.issuer_org.kind == OrgKind.PROVINCE
        assert link.target.issued_on <= link.page.issued_on
        assert link.target.number in link.page.title


def test_issuer_audience_body_and_numbers_are_consistent(world):
    for page in [
        *DocumentPage.objects.select_related("issuer_org", "audience_org", "advisory_body"),
        *NewsPage.objects.select_related("issuer_org", "audience_org"),
    ]:
        assert inside(page.issuer_org, page.audience_org), page.title
        section = page.get_parent().specific
        assert section.organisation_id == page.issuer_org_id
        page.full_clean()  # the editor's own rules: slug, audience, MẬT, advisory body
    for document in DocumentPage.objects.all():
        assert not document.is_classified and not is_classified_number(document.number)
        if document.advisory_body_id:
            assert document.advisory_body.org_id == document.issuer_org_id
        assert "/" in document.number and document.number.split("-")[0].isdigit()
    assert (
        DocumentPage.objects.exclude(audience_positions=set()).exists()
        or DocumentPage.objects.count() < 20
    )


def test_page_tree_is_valid_and_bulk_pages_open_in_the_admin(world, client):
    assert Page.find_problems() == ([], [], [], [], [])
    for section in SectionPage.objects.all():
        assert (
            section.numchild
            == Page.objects.filter(path__startswith=section.path, depth=section.depth + 1).count()
        )
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="quantri"))
    document = DocumentPage.objects.order_by("path").last()
    assert client.get(f"/quan-tri/pages/{document.pk}/edit/").status_code == 200
    news = NewsPage.objects.order_by("path").first()
    assert client.get(f"/quan-tri/pages/{news.pk}/edit/").status_code == 200
    assert client.get(f"/quan-tri/pages/{document.get_parent().pk}/").status_code == 200


def test_receipts_are_recent_and_within_the_audience(world):
    receipts = list(ReadReceipt.objects.select_related("member__cell"))
    assert len(receipts) > 100
    today = timezone.localdate()
    now = timezone.now()
    pages = {
        p.pk: p
        for p in [
            *DocumentPage.objects.select_related("audience_org"),
            *NewsPage.objects.select_related("audience_org"),
        ]
    }
    for receipt in receipts:
        page = pages[receipt.page_id]
        assert inside(page.audience_org, receipt.member.cell)
        assert today - timedelta(days=texts.RECEIPT_DAYS) < receipt.day <= today
        assert receipt.first_at <= receipt.last_at <= now
        assert receipt.opens >= 1
    assert len({(r.page_id, r.member_id, r.day) for r in receipts}) == len(receipts)


def test_plan_is_deterministic_for_a_seed_and_matches_the_database(world):
    first, second = plan.plan("tiny", SEED), plan.plan("tiny", SEED)
    assert signature(*first) == signature(*second)
    assert signature(*plan.plan("tiny", SEED + 1)) != signature(*first)
    documents, news = first
    stored = set(DocumentPage.objects.values_list("number", "title", "issuer_org__code"))
    assert stored == {(d.number, d.title, d.org.code) for d in documents}
    assert set(NewsPage.objects.values_list("title", "issuer_org__code")) == {
        (n.title, n.org.code) for n in news
    }


def test_python_receipts_path_used_on_sqlite(world):
    """The portable path (``make run`` on SQLite) writes the same kind of rows."""
    documents, news = plan.plan("tiny", SEED)
    ids = {
        (number, code): pk
        for number, code, pk in DocumentPage.objects.values_list("number", "issuer_org__code", "pk")
    }
    for spec in documents:
        spec.page_id = ids[spec.number, spec.org.code]
    ReadReceipt.objects.all().delete()
    reads = receipts._reads(documents, 200, timezone.localdate())
    written = receipts._receipts_python(documents, reads, SEED)
    assert written == ReadReceipt.objects.count() > 50
    members = {m.pk: m.cell for m in Member.objects.select_related("cell")}
    by_id = {d.page_id: d for d in documents}
    for receipt in ReadReceipt.objects.all():
        assert inside(by_id[receipt.page_id].audience, members[receipt.member_id])
