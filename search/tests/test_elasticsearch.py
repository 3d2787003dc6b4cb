"""The Elasticsearch path: everything but the client is shared with OpenSearch (tested end to
end in ``test_engine.py``). Here: the bodies both clients send, recorded as data by a plain HTTP
listener (no Elasticsearch server can be installed on the build machines), and what happens when
an engine refuses the Elasticsearch client (osmem answers 406 to its compatibility media type):
search falls back to the database."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from search import engine
from search.backends import engine as backend
from search.backends.base import Query
from search.documents import kinds

EMPTY = {
    "took": 1,
    "timed_out": False,
    "hits": {"total": {"value": 0, "relation": "eq"}, "max_score": None, "hits": []},
    "aggregations": {},
}


class Recorder(BaseHTTPRequestHandler):
    seen: list = []

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        self.seen.append((self.command, self.path, raw, self.headers.get("Accept", "")))
        body = json.dumps(EMPTY if "_search" in self.path else {"acknowledged": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    Recorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", Recorder.seen
    server.shutdown()


def _query(db_kinds):
    return Query(
        raw="Nghị quyết 12-NQ/TW", words=("nghi", "quyet", "12", "nq", "tw"), kinds=tuple(db_kinds)
    )


def test_both_clients_send_the_same_search_body(recorder, db):
    url, seen = recorder
    body = backend.search_body(_query(kinds()), None)
    for flavour in ("elasticsearch", "opensearch"):
        backend.Client(flavour, url).search("sotay-search", body)
    (_, es_path, es_raw, es_accept), (_, os_path, os_raw, _) = seen
    assert es_path.startswith("/sotay-search/_search") and os_path.startswith(
        "/sotay-search/_search"
    )
    assert json.loads(es_raw) == json.loads(os_raw) == body
    assert "compatible-with=9" in es_accept  # what osmem refuses with 406


def test_the_bodies_as_data(db):
    definition = backend.index_definition("x")
    analysis = definition["settings"]["analysis"]
    assert analysis["filter"]["vi_fold"] == {"type": "asciifolding", "preserve_original": True}
    properties = definition["mappings"]["properties"]
    for field in ("title", "number", "body"):  # analyzers per field, never an index default
        assert properties[field]["analyzer"] == "vi"
        assert properties[field]["fields"]["folded"]["analyzer"] == "vi_folded"
    assert "default" not in analysis["analyzer"]
    body = backend.search_body(_query(kinds()), backend.DQ("terms", audience_org=[1, 2]))
    text = json.dumps(body)
    assert "query_string" not in text and "simple_query_string" not in text
    bool_query = body["query"]["bool"]
    assert bool_query["must"][0]["match"]["all"]["fuzziness"] == "AUTO"
    assert {"terms": {"audience_org": [1, 2]}} in bool_query["filter"]
    assert {"terms": {"number_key": ["12nqtw", "nghiquyet12nqtw"], "boost": 20}} in bool_query[
        "should"
    ]
    assert set(body["aggs"]) == {"kind", "issuer", "year"}
    assert body["highlight"]["encoder"] == "html"


def test_the_member_scope_filter_is_one_terms_filter_per_rule(db):
    from tests.factories import MemberFactory, small_tree

    tree = small_tree()
    member = MemberFactory(cell=tree["c11"])
    scope_q = backend.scope_filter(member.user, kinds()).to_dict()
    rule = scope_q["bool"]["should"][0]["bool"]["filter"]
    ancestors = {tree[k].pk for k in ("province", "d1", "b1", "c11")}
    assert set(rule[0]["terms"]["audience_org"]) == ancestors
    assert backend.ALL in rule[1]["terms"]["positions"]


def test_an_engine_refusing_the_elasticsearch_client_means_database_answers(
    world, osmem_url, settings
):
    settings.ELASTICSEARCH_URL = osmem_url  # osmem: 406 to the ES compatibility media type
    settings.OPENSEARCH_URL = ""
    results = engine.search(world["a"].user, "chuyen doi so")
    assert results.backend == "database" and results.notice
    assert results.count == 2
