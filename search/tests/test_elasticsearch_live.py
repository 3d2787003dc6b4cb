"""Against a real Elasticsearch (8.x is refused by the 9.x client; 9.x supported): runs only
when ELASTICSEARCH_URL is set in the environment, e.g.
``ELASTICSEARCH_URL=http://127.0.0.1:9200 pytest search/tests/test_elasticsearch_live.py``."""

import os

import pytest

from search import engine, indexing

pytestmark = pytest.mark.skipif(
    not os.environ.get("ELASTICSEARCH_URL"), reason="no ELASTICSEARCH_URL: no Elasticsearch"
)


@pytest.fixture
def es_world(db, settings):
    from .helpers import make_world

    settings.ELASTICSEARCH_URL = os.environ["ELASTICSEARCH_URL"]
    settings.OPENSEARCH_URL = ""
    settings.SEARCH_INDEX = "sotay-search-test"
    world = make_world()
    indexing.rebuild()
    return world


def test_elasticsearch_end_to_end(es_world):
    w = es_world
    results = engine.search(w["a"].user, "chuyen doi so")
    assert results.backend == "elasticsearch" and not results.notice
    assert {h.id for h in results.hits} == {w["doc_d1"].pk, w["news_p"].pk}
    for query in ("nghi quyet 12", "12/NQ-TW"):
        assert engine.search(w["a"].user, query).hits[0].id == w["doc_tw"].pk
    assert engine.search(w["a"].user, "07-NQ/HU").count == 0
