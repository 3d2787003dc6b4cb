"""The member search: folded words, every registered kind, scoped before anything is counted."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from editorial.models import DocumentPage, NewsPage
from search import engine
from tests.factories import MemberFactory, UserFactory, grant, small_tree
from tests.factories import published as publish


@pytest.fixture
def world(db):
    tree = small_tree()
    doc_d1 = publish(
        DocumentPage,
        tree["d1"],
        title="Nghị quyết về chuyển đổi số",
        number="05-NQ/HU",
        kind="nghi_quyet",
        issued_on=date(2026, 5, 1),
        summary="Đẩy mạnh chuyển đổi số trong Đảng bộ",
    )
    doc_d2 = publish(
        DocumentPage,
        tree["d2"],
        title="Nghị quyết về chuyển đổi số",
        number="07-NQ/HU",
        kind="nghi_quyet",
        issued_on=date(2026, 5, 2),
        summary="Chuyển đổi số ở huyện 2",
    )
    news_p = publish(
        NewsPage,
        tree["province"],
        title="Hội nghị chuyển đổi số toàn tỉnh",
        lead="Đông đủ đại biểu",
    )
    return {
        "tree": tree,
        "doc_d1": doc_d1,
        "doc_d2": doc_d2,
        "news_p": news_p,
        "a": MemberFactory(cell=tree["c11"]),
        "b": MemberFactory(cell=tree["c21"]),
    }


def test_words_match_with_or_without_diacritics_and_only_in_scope(world):
    for query in ("chuyển đổi số", "chuyen doi so", "CHUYEN DOI SO"):
        results = engine.search(world["a"].user, query)
        assert {(h.kind, h.id) for h in results.hits} == {
            ("document", world["doc_d1"].pk),
            ("news", world["news_p"].pk),
        }
        assert results.count == 2 and results.counts == {"document": 1, "news": 1}
    results = engine.search(world["b"].user, "chuyen doi so")
    assert {h.id for h in results.hits} == {world["doc_d2"].pk, world["news_p"].pk}


def test_staff_find_what_their_units_issued(world):
    viewer = UserFactory()
    grant(viewer, "viewer", world["tree"]["d2"])
    assert {h.id for h in engine.search(viewer, "nghi quyet").hits} == {world["doc_d2"].pk}


def test_a_too_short_query_or_unknown_kind_is_refused_in_vietnamese(world):
    with pytest.raises(engine.QueryError, match="ít nhất"):
        engine.search(world["a"].user, " đ ")
    with pytest.raises(engine.QueryError, match="Không có loại"):
        engine.search(world["a"].user, "nghi quyet", kind="bi-mat")


@pytest.mark.django_db
def test_api_contract_fields_scope_and_errors(world, django_assert_max_num_queries):
    client = APIClient()
    client.force_authenticate(world["a"].user)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/search/", {"q": "chuyen doi"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    hit = next(h for h in body["results"] if h["kind"] == "document")
    assert hit == {
        **hit,
        "id": world["doc_d1"].pk,
        "issuer_org": world["tree"]["d1"].pk,
        "audience_org": world["tree"]["d1"].pk,
        "title": "Nghị quyết về chuyển đổi số",
    }
    assert world["doc_d2"].pk not in {h["id"] for h in body["results"] if h["kind"] == "document"}
    bad = client.get("/api/v1/search/", {"q": "x"})
    assert (
        bad.status_code == 400 and "ít nhất" in bad.json()["detail"] and "q" in bad.json()["fields"]
    )
    assert client.get("/api/v1/search/", {"q": "chuyen", "page": "0"}).status_code == 400
    assert APIClient().get("/api/v1/search/", {"q": "chuyen"}).status_code == 401


def test_member_page_and_hit_links_are_scoped(world, client):
    client.force_login(world["b"].user)
    page = client.get("/tim-kiem/", {"q": "chuyen doi so"})
    assert page.status_code == 200 and "Nghị quyết về chuyển đổi số" in page.content.decode()
    assert client.get(f"/tim-kiem/mo/document/{world['doc_d1'].pk}/").status_code == 404
    opened = client.get(f"/tim-kiem/mo/document/{world['doc_d2'].pk}/")
    assert opened.status_code == 302 and opened["Location"].endswith("/")
    assert client.get("/tim-kiem/mo/khong-co/1/").status_code == 404


def test_html_in_a_title_is_shown_as_text(world, client):
    publish(
        NewsPage, world["tree"]["province"], title="<script>alert('x')</script> chuyển đổi", lead=""
    )
    client.force_login(world["a"].user)
    html = client.get("/tim-kiem/", {"q": "chuyen doi"}).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
