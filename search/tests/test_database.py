"""The database backend (the embedded default): folding, numbers, ranking, snippets, facets,
scope, bad input, and the index kept current through the outbox."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from editorial.models import DocumentPage
from search import engine, indexing
from search.models import Entry
from tests.factories import UserFactory, grant

from .helpers import attach, docx_bytes, pdf_bytes


def ids(results, kind=None):
    return [(h.kind, h.id) for h in results.hits if kind in (None, h.kind)]


def test_words_match_with_or_without_diacritics_and_only_in_scope(world):
    for query in ("chuyển đổi số", "chuyen doi so", "CHUYEN DOI SO"):
        results = engine.search(world["a"].user, query)
        assert set(ids(results)) == {
            ("document", world["doc_d1"].pk),
            ("news", world["news_p"].pk),
        }
        assert results.count == 2 and results.counts == {"document": 1, "news": 1}
        assert results.backend == "database" and not results.notice
    results = engine.search(world["b"].user, "chuyen doi so")
    assert {h.id for h in results.hits} == {world["doc_d2"].pk, world["news_p"].pk}


@pytest.mark.parametrize(
    "query", ["nghi quyet 12", "12-NQ/TW", "12/NQ-TW", "12 nq tw", "Nghị quyết số 12-NQ/TW"]
)
def test_a_document_number_is_found_whatever_its_separators(world, query):
    results = engine.search(world["a"].user, query)
    assert ids(results)[0] == ("document", world["doc_tw"].pk)


def test_exact_diacritics_rank_above_folded_and_snippets_keep_them(world):
    results = engine.search(world["a"].user, "Hà Nội")
    assert ids(results)[:2] == [("news", world["news_hn"].pk), ("news", world["news_folded"].pk)]
    assert str(results.hits[0].title_html) == "Đoàn công tác thăm <mark>Hà</mark> <mark>Nội</mark>"
    folded = engine.search(world["a"].user, "ha noi")
    assert {h.id for h in folded.hits} == {world["news_hn"].pk, world["news_folded"].pk}
    doc = engine.search(world["a"].user, "chinh don dang", kind="document").hits[0]
    assert "<mark>chỉnh</mark> <mark>đốn</mark> <mark>Đảng</mark>" in str(doc.snippet)


def test_facets_and_sort_by_date(world):
    results = engine.search(world["a"].user, "nghi quyet")
    assert dict((k, n) for k, _l, n in results.facets["kind"]) == {"document": 2}
    years = {k: n for k, _l, n in results.facets["year"]}
    assert sum(years.values()) == 2
    issuers = {k: n for k, _l, n in results.facets["issuer"]}
    assert issuers == {world["tree"]["province"].pk: 1, world["tree"]["d1"].pk: 1}
    narrowed = engine.search(world["a"].user, "nghi quyet", issuer=world["tree"]["d1"].pk)
    assert ids(narrowed) == [("document", world["doc_d1"].pk)] and narrowed.count == 1
    by_date = engine.search(world["a"].user, "nghi quyet", sort="date")
    dates = [h.date for h in by_date.hits]
    assert dates == sorted(dates, reverse=True)


def test_staff_find_what_their_units_issued(world):
    viewer = UserFactory()
    grant(viewer, "viewer", world["tree"]["d2"])
    assert {h.id for h in engine.search(viewer, "nghi quyet").hits} == {world["doc_d2"].pk}


@pytest.mark.parametrize("query", ["", " đ ", "x", "!!! ??? …", "*", "\\", "{", '"'])
def test_too_little_to_search_is_refused_in_vietnamese(world, query):
    with pytest.raises(engine.QueryError, match="ít nhất"):
        engine.search(world["a"].user, query)


@pytest.mark.parametrize(
    "query",
    ['"chuyen doi so"', "chuyen OR doi", "title:chuyen", "chuyen* {doi}", "chuyen\\ doi so"],
)
def test_search_syntax_typed_in_the_box_is_words(world, query):
    results = engine.search(world["a"].user, query)
    assert all(h.id != world["doc_d2"].pk for h in results.hits)


def test_a_very_long_query_is_cut_not_refused(world):
    results = engine.search(world["a"].user, "chuyen doi so " + "x" * 10_000)
    assert results.count == 0
    assert len(engine.clean("a" * 10_000)) == engine.MAX_QUERY_CHARS


def test_unknown_kind_or_sort_is_refused(world):
    with pytest.raises(engine.QueryError, match="Không có loại"):
        engine.search(world["a"].user, "nghi quyet", kind="bi-mat")
    with pytest.raises(engine.QueryError, match="sắp xếp"):
        engine.search(world["a"].user, "nghi quyet", sort="x")


def test_file_text_is_indexed_and_out_of_scope_files_stay_hidden(world):
    attach(world["doc_d2"], "nq.pdf", pdf_bytes("Phát triển cây vải thiều hữu cơ ở Lục Ngạn"))
    attach(world["doc_d1"], "kh.docx", docx_bytes("Kế hoạch trồng rừng ngập mặn ven biển"))
    attach(world["doc_d1"], "hong.pdf", b"%PDF-1.4 broken beyond repair")
    indexing.rebuild()
    b, a = world["b"].user, world["a"].user
    assert ids(engine.search(b, "vai thieu huu co")) == [("document", world["doc_d2"].pk)]
    assert ids(engine.search(a, "vai thieu huu co")) == []  # a phrase of a file out of scope
    assert ids(engine.search(a, "07-NQ/HU")) == []  # an out-of-scope number
    assert ids(engine.search(a, "rung ngap man")) == [("document", world["doc_d1"].pk)]
    assert engine.search(a, "chuyen doi so", kind="document").count == 1  # the broken file


def test_withdrawn_or_narrowed_items_leave_the_index_in_the_same_job(
    world, django_capture_on_commit_callbacks, settings
):
    settings.SOTAY_JOBS_INLINE = True
    a = world["a"].user
    doc = world["doc_d1"]
    assert ids(engine.search(a, "chuyen doi so", kind="document")) == [("document", doc.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        page = DocumentPage.objects.get(pk=doc.pk)
        page.audience_org = world["tree"]["c12"]  # narrowed: no longer reaches cell 1.1
        page.save()
    assert ids(engine.search(a, "chuyen doi so", kind="document")) == []
    entry = Entry.objects.get(kind="document", object_id=doc.pk)
    assert entry.audience_org_id == world["tree"]["c12"].pk
    with django_capture_on_commit_callbacks(execute=True):
        DocumentPage.objects.get(pk=doc.pk).unpublish()
    assert not Entry.objects.filter(kind="document", object_id=doc.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        world["news_p"].delete()
    assert not Entry.objects.filter(kind="news", object_id=world["news_p"].pk).exists()


def test_a_hit_is_checked_against_the_item_even_before_its_job_ran(world):
    doc = world["doc_d1"]
    DocumentPage.objects.filter(pk=doc.pk).update(audience_org=world["tree"]["c12"])
    assert ids(engine.search(world["a"].user, "chuyen doi so", kind="document")) == []


def test_a_withdrawn_item_is_not_shown_before_its_job_ran_nor_counted(
    world, django_assert_num_queries
):
    """Withdrawn after indexing (its index job not yet run): the hit leaves the page and the
    count. On PostgreSQL the search is one statement, and the check of its page against the
    items one more, prepared once per database session (an EXECUTE after the first)."""
    from search.backends import database

    a, doc = world["a"].user, world["doc_d1"]
    before = engine.search(a, "chuyen doi so")
    assert ("document", doc.pk) in ids(before)
    DocumentPage.objects.filter(pk=doc.pk).update(live=False)
    after = engine.search(a, "chuyen doi so")
    assert ("document", doc.pk) not in ids(after) and after.count == before.count - 1
    assert Entry.objects.filter(kind="document", object_id=doc.pk).exists()
    if database._postgres():
        with django_assert_num_queries(2) as queries:
            assert engine.search(a, "chuyen doi so").count == after.count
        assert queries.captured_queries[1]["sql"].startswith("EXECUTE sotay_search_page_check_")
        with django_assert_num_queries(1):  # nothing on the page: nothing to check
            assert engine.search(a, "khong co tu nay dau").count == 0


def test_a_page_check_holding_a_literal_percent_runs_unprepared(world, monkeypatch):
    """A kind's check whose SQL holds a literal "%" (a LIKE in some future filter) cannot be
    rewritten for PREPARE: it runs as a plain statement, and still decides the page."""
    from search.backends import database

    if not database._postgres():
        pytest.skip("the page's check is a statement of its own on PostgreSQL only")
    a, doc = world["a"].user, world["doc_d1"]
    real = database._compile_item

    def with_percent(user, kind):
        sql, params = real(user, kind)
        if kind.key == "document":  # true for every row, and refuses the withdrawn one below
            sql = f"({sql} AND 'x%%' LIKE 'x%%')"
        return sql, params

    monkeypatch.setattr(database, "_compile_item", with_percent)
    database._ITEM_SQL.clear()
    monkeypatch.setattr(database, "SHARED_SQL_SECONDS", 1)
    from django.core.cache import cache

    cache.clear()
    before = engine.search(a, "chuyen doi so")
    assert ("document", doc.pk) in ids(before)
    DocumentPage.objects.filter(pk=doc.pk).update(live=False)
    after = engine.search(a, "chuyen doi so")
    assert ("document", doc.pk) not in ids(after) and after.count == before.count - 1
    database._ITEM_SQL.clear()


def test_api_contract_fields_scope_and_errors(world, django_assert_max_num_queries):
    client = APIClient()
    client.force_authenticate(world["a"].user)
    with django_assert_max_num_queries(10):
        response = client.get("/api/v1/search/", {"q": "chuyen doi"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["backend"] == "database"
    hit = next(h for h in body["results"] if h["kind"] == "document")
    assert hit == {
        **hit,
        "id": world["doc_d1"].pk,
        "issuer_org": world["tree"]["d1"].pk,
        "audience_org": world["tree"]["d1"].pk,
        "title": "Nghị quyết về chuyển đổi số",
    }
    assert {f["key"] for f in body["facets"]["kind"]} == {"document", "news"}
    bad = client.get("/api/v1/search/", {"q": "x"})
    assert bad.status_code == 400 and "ít nhất" in bad.json()["detail"]
    assert client.get("/api/v1/search/", {"q": "chuyen", "page": "0"}).status_code == 400
    assert client.get("/api/v1/search/", {"q": "chuyen", "sort": "x"}).status_code == 400
    assert APIClient().get("/api/v1/search/", {"q": "chuyen"}).status_code == 401
    suggest = client.get("/api/v1/search/suggest/", {"q": "nghi qu"}).json()["results"]
    assert [r["id"] for r in suggest] == [world["doc_tw"].pk, world["doc_d1"].pk] or {
        r["id"] for r in suggest
    } == {world["doc_tw"].pk, world["doc_d1"].pk}
    assert client.get("/api/v1/search/suggest/", {"q": "12-NQ"}).json()["results"][0]["id"] == (
        world["doc_tw"].pk
    )
    assert client.get("/api/v1/search/health/").status_code == 403


def test_member_page_and_hit_links_are_scoped(world, client):
    client.force_login(world["b"].user)
    page = client.get("/tim-kiem/", {"q": "chuyen doi so"})
    html = page.content.decode()
    assert page.status_code == 200 and "<mark>chuyển</mark>" in html
    assert 'class="bar-search"' in html
    assert client.get(f"/tim-kiem/mo/document/{world['doc_d1'].pk}/").status_code == 404
    opened = client.get(f"/tim-kiem/mo/document/{world['doc_d2'].pk}/")
    assert opened.status_code == 302
    assert client.get("/tim-kiem/mo/khong-co/1/").status_code == 404
    for bad in ("", "x", "!!!", "a" * 10_000):
        assert client.get("/tim-kiem/", {"q": bad}).status_code == 200


def test_html_in_a_title_is_shown_as_text(world, client):
    from editorial.models import NewsPage
    from tests.factories import published

    published(NewsPage, world["tree"]["province"], title="<script>alert('x')</script> chuyển đổi")
    indexing.rebuild()
    client.force_login(world["a"].user)
    html = client.get("/tim-kiem/", {"q": "chuyen doi"}).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_staff_search_in_the_admin_is_scoped(world, client):
    from tests.factories import login, staff

    login(client, staff("viewer", world["tree"]["d2"]))
    page = client.get("/quan-tri/tim-kiem/", {"q": "nghi quyet"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "07-NQ/HU" in html and "05-NQ/HU" not in html and "12-NQ/TW" not in html
    assert client.get("/quan-tri/tim-kiem/", {"q": "x"}).status_code == 200


def test_search_listens_to_the_deletions_of_its_kinds_only():
    """A receiver of every model's deletions would make every bulk delete of the project fetch
    and signal its rows one by one; search listens to its kinds' models (and their related
    models) only, so a delete elsewhere stays one statement."""
    from django.contrib.sessions.models import Session
    from django.db.models.deletion import Collector
    from django.db.models.signals import post_delete

    from editorial.models import DocumentFile

    assert post_delete.has_listeners(DocumentPage)
    assert post_delete.has_listeners(DocumentFile)  # a document's file: its text is indexed
    assert not post_delete.has_listeners(Session)
    assert Collector(using="default").can_fast_delete(Session.objects.none())


def test_the_kept_scope_filter_follows_the_scope_engine(world):
    """The PostgreSQL statement pastes the scope engine's filter, kept per ``viewer_key``:
    equal keys give equal SQL, another cell or a new grant another key (and what it finds)."""
    from search.backends import database
    from search.models import Entry
    from sotay_plugins.orgtree import scope
    from tests.factories import MemberFactory

    kinds = tuple(engine.kinds())
    a, b = world["a"].user, world["b"].user
    neighbour = MemberFactory(cell=world["tree"]["c11"]).user  # a's cell, same filters

    def key(user):
        return tuple(scope.viewer_key(user, Entry, cap) for cap in ("editorial.view_library",))

    def sql(user):
        query = database.scoped(user, kinds).query
        return str(query.get_compiler(connection=database.connection).compile(query.where))

    assert key(a) == key(neighbour) and sql(a) == sql(neighbour)
    assert key(a) != key(b) and sql(a) != sql(b)
    # a member sees every kind under one filter: one branch, no kind condition
    assert '"kind"' not in sql(a)
    if database._postgres():
        assert database.scope_sql(a, kinds) == database.scope_sql(neighbour, kinds)
    before = key(a)
    assert world["doc_d2"].pk not in {h.id for h in engine.search(a, "nghi quyet").hits}
    grant(a, "viewer", world["tree"]["d2"])
    assert key(a) != before
    assert world["doc_d2"].pk in {h.id for h in engine.search(a, "nghi quyet").hits}
    # the viewer role's capabilities are not every kind's: their kinds are filtered apart
    assert '"kind"' in sql(a)
    superuser = UserFactory(is_superuser=True)
    assert scope.viewer_key(superuser, Entry) == ("superadmin",)
    assert engine.search(superuser, "nghi quyet").count == 3


def test_kept_suggestions_follow_the_index_and_the_scope(world, django_assert_num_queries):
    """Suggestions are kept a few seconds per ``viewer_key`` and index stamp: asked again, no
    query; an item withdrawn (its index job run) leaves them at once; another cell, or a new
    grant, gets its own answer."""
    a, b = world["a"].user, world["b"].user
    d1, d2, tw = world["doc_d1"].pk, world["doc_d2"].pk, world["doc_tw"].pk

    def found(user):
        return {row["object_id"] for row in engine.suggest(user, "nghi qu")}

    assert found(a) == {tw, d1} and found(b) == {tw, d2}
    with django_assert_num_queries(0):
        assert found(a) == {tw, d1}
    DocumentPage.objects.filter(pk=d1).update(live=False)
    indexing.sync("document", [d1])
    assert found(a) == {tw}
    grant(a, "viewer", world["tree"]["d2"])
    assert found(a) == {tw, d2}


def test_kept_suggestions_are_shared_between_processes(world, django_assert_num_queries):
    """An answer one worker computed serves another (its own copies empty) from the shared
    cache, with no query, until the index moves on; the shared key does not depend on a
    process's set order."""
    from search.backends import database

    a = world["a"].user
    d1, tw = world["doc_d1"].pk, world["doc_tw"].pk

    def found(user):
        return {row["object_id"] for row in engine.suggest(user, "nghi qu")}

    assert found(a) == {tw, d1}
    database._SUGGESTIONS.clear()  # another process
    with django_assert_num_queries(0):
        assert found(a) == {tw, d1}
    database._SUGGESTIONS.clear()
    DocumentPage.objects.filter(pk=d1).update(live=False)
    indexing.sync("document", [d1])
    assert found(a) == {tw}
    assert database._shared_suggestion_key((frozenset({"b", "a", "c"}),)) == (
        database._shared_suggestion_key((frozenset({"c", "a", "b"}),))
    )


def test_suggestions_are_not_kept_without_an_index_stamp(world, monkeypatch):
    """The cache down (no stamp can be read, none moved by a write): every autocomplete is
    computed, so a withdrawal during the outage is not hidden behind a kept answer."""
    from search.backends import database
    from sotay_plugins import versions

    a = world["a"].user
    d1, tw = world["doc_d1"].pk, world["doc_tw"].pk
    monkeypatch.setattr(versions, "current", lambda key: None)
    database._SUGGESTIONS.clear()
    assert {row["object_id"] for row in engine.suggest(a, "nghi qu")} == {tw, d1}
    DocumentPage.objects.filter(pk=d1).update(live=False)
    indexing.sync("document", [d1])
    assert {row["object_id"] for row in engine.suggest(a, "nghi qu")} == {tw}


def test_compiled_filters_are_shared_between_processes(world, monkeypatch):
    """The statement's scope filter and its page checks, compiled once, serve another process
    (its own copies empty) from the shared cache without being compiled again; other code
    (another ``_code_stamp``) shares nothing; the filter still follows the scope engine."""
    from search.backends import database

    if not database._postgres():
        pytest.skip("the statement with pasted filters is PostgreSQL's")
    a = world["a"].user
    d1, d2 = world["doc_d1"].pk, world["doc_d2"].pk

    def found(user):
        return {h.id for h in engine.search(user, "nghi quyet").hits}

    first = found(a)
    assert d1 in first and d2 not in first
    compiled = []
    real_scope, real_item = database._compile_scope, database._compile_item
    monkeypatch.setattr(
        database, "_compile_scope", lambda *args: compiled.append("scope") or real_scope(*args)
    )
    monkeypatch.setattr(
        database, "_compile_item", lambda *args: compiled.append("item") or real_item(*args)
    )
    database._SCOPE_SQL.clear()  # another process
    database._ITEM_SQL.clear()
    assert found(a) == first
    assert compiled == []
    database._SCOPE_SQL.clear()
    database._ITEM_SQL.clear()
    monkeypatch.setattr(database, "_code_stamp", lambda: "other code")
    assert found(a) == first
    assert "scope" in compiled and "item" in compiled
    grant(a, "viewer", world["tree"]["d2"])  # a new key: its own filter
    assert d2 in found(a)


def test_a_word_found_only_inside_another_earns_no_rank(world):
    """ "an" is inside "Ban" but is no word of that title: the title earns nothing for it, and
    the newer of two entries that match by their text alone comes first."""
    from .conftest import _indexed
    from .helpers import publish

    province = world["tree"]["province"]
    older = publish(
        DocumentPage,
        province,
        title="Ban chỉ đạo phòng chống thiên tai",
        number="01-KH/TU",
        kind="ke_hoach",
        issued_on=date(2025, 1, 1),
        summary="Bảo đảm an ninh khi mưa bão",
    )
    newer = publish(
        DocumentPage,
        province,
        title="Báo cáo tình hình quý I",
        number="02-BC/TU",
        kind="bao_cao",
        issued_on=date(2026, 1, 1),
        summary="Giữ vững an ninh trật tự",
    )
    _indexed()
    found = ids(engine.search(world["a"].user, "an ninh"))
    assert found[:2] == [("document", newer.pk), ("document", older.pk)]


def test_a_lazy_request_user_is_searched_for_as_the_user_behind_it(world):
    """``request.user`` is a lazy object that django-otp wraps again: the search reads the user
    behind both, with the same answer and the same scope."""
    from django.utils.functional import SimpleLazyObject

    user = world["a"].user
    lazy = SimpleLazyObject(lambda: SimpleLazyObject(lambda: user))
    assert ids(engine.search(lazy, "chuyen doi so")) == ids(engine.search(user, "chuyen doi so"))
    assert engine.suggest(lazy, "chuyen d") == engine.suggest(user, "chuyen d")
    assert engine._concrete(lazy) is user
