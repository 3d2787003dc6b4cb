"""Issue 15's acceptance list tried as a member would on the demo province, where the test world
of ``helpers.make_world`` was too kind: there, no other document names "12-NQ/TW", and every
document's number is inside its title. On the demo, plans "thực hiện Nghị quyết số 04-NQ/TU"
came before the resolution 04-NQ/TU for "nghi quyet 04", and typing "04-NQ" into the box
suggested the plans but not the resolution (its title holds no number)."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from editorial.models import DocumentPage
from search import engine, indexing
from tests.factories import published


def _plan(world):
    page = published(
        DocumentPage,
        world["tree"]["province"],
        title="Kế hoạch thực hiện Nghị quyết số 12-NQ/TW ngày 01/05/2024 của Tỉnh ủy",
        number="01-KH/TU",
        kind="ke_hoach",
        issued_on=date(2024, 6, 1),
        summary="Kế hoạch triển khai nghị quyết",
    )
    indexing.rebuild()
    return page


@pytest.fixture
def plan(world):
    """A plan issued to carry out 12-NQ/TW: its title names the resolution and its number."""
    return _plan(world)


@pytest.fixture
def engine_plan(engine_world):
    return _plan(engine_world)


def first(user, query):
    hits = engine.search(user, query).hits
    return (hits[0].kind, hits[0].id) if hits else None


@pytest.mark.parametrize(
    "query", ["nghi quyet 12", "Nghị quyết số 12", "NGHI QUYET SO 12", "nq 12", "12-NQ/TW"]
)
def test_a_kind_and_a_number_put_that_document_above_those_that_cite_it(world, plan, query):
    assert first(world["a"].user, query) == ("document", world["doc_tw"].pk)


@pytest.mark.parametrize("typed", ["05", "05-", "05-NQ", "05-nq/h", "05/NQ-HU", "05 nq hu"])
def test_a_number_typed_into_the_box_is_suggested_as_typed(world, typed):
    """Document 05-NQ/HU's title holds no number: it is suggested by its number alone, while
    the member types it, whatever the separators."""
    found = {(r["kind"], r["object_id"]) for r in engine.suggest(world["a"].user, typed)}
    assert ("document", world["doc_d1"].pk) in found, typed
    # its twin of the other district (07-NQ/HU) never reaches this member
    assert ("document", world["doc_d2"].pk) not in found


def test_a_suggested_number_stays_in_scope(world):
    assert engine.suggest(world["a"].user, "07-NQ") == []
    assert [r["object_id"] for r in engine.suggest(world["b"].user, "07-NQ")] == [
        world["doc_d2"].pk
    ]


@pytest.mark.parametrize("query", ["__", "_ _", "_x", "x_", "___ !!!"])
def test_underscores_are_punctuation_not_letters(world, query):
    with pytest.raises(engine.QueryError, match="ít nhất"):
        engine.search(world["a"].user, query)
    assert engine.suggest(world["a"].user, query) == []


def test_the_api_gives_the_date_in_vietnam_time(world):
    """12-NQ/TW was issued on 01/05/2024: the API says 2024-05-01 (+07:00), not the UTC instant
    2024-04-30T17:00 a client would read as the day before."""
    client = APIClient()
    client.force_authenticate(world["a"].user)
    body = client.get("/api/v1/search/", {"q": "12-NQ/TW"}).json()
    hit = next(h for h in body["results"] if h["id"] == world["doc_tw"].pk)
    assert hit["date"].startswith("2024-05-01") and hit["date"].endswith("+07:00")


# --- the same on the engine path (OpenSearch's API: the osmem-server stand-in) ----------------


@pytest.mark.parametrize("query", ["nghi quyet 12", "Nghị quyết số 12", "nq 12", "12/NQ-TW"])
def test_on_the_engine_a_kind_and_a_number_find_that_document_first(
    engine_world, engine_plan, query
):
    results = engine.search(engine_world["a"].user, query)
    assert results.backend == "opensearch"
    assert (results.hits[0].kind, results.hits[0].id) == ("document", engine_world["doc_tw"].pk)


@pytest.mark.parametrize("typed", ["05-NQ", "05/nq-h"])
def test_on_the_engine_a_number_typed_is_suggested_in_scope(engine_world, typed):
    a, b = engine_world["a"].user, engine_world["b"].user
    assert engine_world["doc_d1"].pk in {r["object_id"] for r in engine.suggest(a, typed)}
    assert engine_world["doc_d1"].pk not in {r["object_id"] for r in engine.suggest(b, typed)}


def test_the_admin_search_page_is_headed_by_its_own_title(world, client):
    """Its header said "Trang chủ" (Wagtail's home breadcrumb) instead of the page's name."""
    import re

    from tests.factories import login, staff

    login(client, staff("viewer", world["tree"]["d2"]))
    html = client.get("/quan-tri/tim-kiem/", {"q": "nghi quyet"}).content.decode()
    header = re.search(r"<header.*?</header>", html, re.S).group(0)
    assert "Tìm kiếm nội dung" in header and "Trang chủ" not in header
