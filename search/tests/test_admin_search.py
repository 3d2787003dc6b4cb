"""The staff search page in the Wagtail admin (``/quan-tri/tim-kiem/``): a pager, filters by kind,
issuer and year with their counts, a sort; every page, count and facet in the staff member's
scope; bad input answered with a Vietnamese message, never a server error.

It showed the first 30 hits and no more ("Tìm thấy 51 kết quả" over 30 rows), with no filter
but the kind and no sort."""

import re
from datetime import date
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from editorial.models import DocumentPage, NewsPage
from search import admin, engine, indexing
from tests.factories import login, published, staff

URL = "/quan-tri/tim-kiem/"
Q = "chuyen doi so"


@pytest.fixture
def more(world):
    """Seven more documents and news about "chuyển đổi số" in both districts, over two years:
    12 + the world's 3 (two documents and a province news) match ``Q`` for the province."""
    tree = world["tree"]
    made = []
    for i in range(4):
        made.append(
            published(
                DocumentPage,
                tree["d1"],
                title=f"Kế hoạch chuyển đổi số số {i + 1}",
                number=f"{10 + i}-KH/HU",
                kind="ke_hoach",
                issued_on=date(2025, 3, 1 + i),
                summary="Chuyển đổi số ở huyện 1",
            )
        )
    for i in range(3):
        made.append(
            published(
                DocumentPage,
                tree["d2"],
                title=f"Báo cáo chuyển đổi số quý {i + 1}",
                number=f"{20 + i}-BC/HU",
                kind="bao_cao",
                issued_on=date(2025, 4, 1 + i),
                summary="Chuyển đổi số ở huyện 2",
            )
        )
    for i in range(2):
        made.append(
            published(NewsPage, tree["d1"], title=f"Tin chuyển đổi số huyện 1 số {i}", lead="")
        )
    for i in range(3):
        made.append(
            published(NewsPage, tree["d2"], title=f"Tin chuyển đổi số huyện 2 số {i}", lead="")
        )
    indexing.rebuild()
    return made


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(admin, "PAGE_SIZE", 4)
    return 4


def _get(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def _keys(response):
    return [(hit.kind, hit.id) for hit in response.context["page_obj"]]


def _pager_links(html):
    nav = re.search(r'<nav class="pagination".*?</nav>', html, re.S)
    assert nav, "no pager"
    return [unescape(href) for href in re.findall(r'<a[^>]* href="([^"]*)"', nav.group(0))]


def _province_staff(client, world):
    user = staff("viewer", world["tree"]["province"])
    login(client, user)
    return user


# --- the pager ------------------------------------------------------------------------------


def test_pages_are_the_slices_of_the_whole_answer(world, more, client, small_pages):
    user = _province_staff(client, world)
    whole = engine.search(user, Q, limit=100)
    assert whole.count > 2 * small_pages  # three pages at least
    seen, number = [], 1
    while True:
        response = _get(client, q=Q, p=number)
        page = response.context["page_obj"]
        assert page.number == number and page.paginator.count == whole.count
        seen += _keys(response)
        if not page.has_next():
            break
        number += 1
    assert seen == [(h.kind, h.id) for h in whole.hits]  # each once, in the engine's order
    assert number == -(-whole.count // small_pages)


def test_every_hit_is_reachable_beyond_the_first_thirty(world, client):
    """The issue's case at the real page size: more hits than one page holds."""
    for i in range(admin.PAGE_SIZE + 2):
        published(NewsPage, world["tree"]["d2"], title=f"Tin chuyển đổi số {i}", lead="")
    indexing.rebuild()
    _province_staff(client, world)
    first = _get(client, q=Q)
    count = first.context["results"].count
    assert count > admin.PAGE_SIZE and len(_keys(first)) == admin.PAGE_SIZE
    html = first.content.decode()
    assert "Trang 1/2" in html and "Trang sau" in html
    second = _get(client, q=Q, p=2)
    assert len(_keys(second)) == count - admin.PAGE_SIZE
    assert not set(_keys(first)) & set(_keys(second))


def test_pager_links_keep_the_filters_and_the_sort(world, more, client, monkeypatch):
    monkeypatch.setattr(admin, "PAGE_SIZE", 2)  # 7 documents of 2025: 4 pages
    _province_staff(client, world)
    html = _get(client, q=Q, kind="document", year=2025, sort="date", p=2).content.decode()
    links = _pager_links(html)
    assert links
    for link in links:
        params = parse_qs(urlsplit(link).query)
        assert params["q"] == [Q] and params["kind"] == ["document"]
        assert params["year"] == ["2025"] and params["sort"] == ["date"]
    pages = {parse_qs(urlsplit(link).query)["p"][0] for link in links}
    assert {"1", "3"} <= pages  # previous and next


def test_pager_links_do_not_carry_a_value_dropped(world, more, client, small_pages):
    _province_staff(client, world)
    html = _get(client, q=Q, kind="document", year="-1", sort="x").content.decode()
    for link in _pager_links(html):
        params = parse_qs(urlsplit(link).query)
        assert "year" not in params and "sort" not in params and params["kind"] == ["document"]


# --- filters, counts and sort -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["kind", "issuer", "year"])
def test_each_filter_narrows_to_its_count(world, more, client, name):
    _province_staff(client, world)
    unfiltered = _get(client, q=Q)
    facet = unfiltered.context["results"].facets[name]
    assert len(facet) > 1
    html = unfiltered.content.decode()
    for key, label, n in facet:
        assert f">{label} ({n})</option>" in html  # the choice shows its count
        narrowed = _get(client, q=Q, **{name: key})
        results = narrowed.context["results"]
        assert results.count == n
        for hit in results.hits:
            value = {"kind": hit.kind, "issuer": hit.issuer_org, "year": hit.date.year}[name]
            assert value == key
        assert f'<option value="{key}" selected>' in narrowed.content.decode()


def test_filters_combine_and_each_can_be_removed(world, more, client):
    _province_staff(client, world)
    d1 = world["tree"]["d1"].pk
    response = _get(client, q=Q, kind="document", issuer=d1, year=2025)
    hits = response.context["results"].hits
    assert hits and {(h.kind, h.issuer_org, h.date.year) for h in hits} == {("document", d1, 2025)}
    html = unescape(response.content.decode())
    assert "Bỏ mọi bộ lọc" in html
    without_year = f"?q={Q.replace(' ', '+')}&kind=document&issuer={d1}"
    assert f'href="{without_year}"' in html


def test_sort_by_date_puts_the_newest_first(world, more, client):
    _province_staff(client, world)
    hits = _get(client, q=Q, sort="date").context["results"].hits
    dates = [h.date for h in hits]
    assert dates == sorted(dates, reverse=True)
    assert 'value="date" selected' in _get(client, q=Q, sort="date").content.decode()


# --- scope ------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["world", "engine_world"], ids=["database", "engine"])
def test_district_staff_never_see_another_district_on_any_page_or_facet(
    request, db, backend, client, monkeypatch
):
    # ``db`` asked here, not only through the fixture chosen below: pytest-django runs a test
    # that asks for no database after the transactional ones, which leave no HomePage behind
    world = request.getfixturevalue(backend)
    request.getfixturevalue("more") if backend == "world" else _more_on(world)
    monkeypatch.setattr(admin, "PAGE_SIZE", 2)
    tree = world["tree"]
    login(client, staff("viewer", tree["d2"]))
    foreign = {tree["province"].pk, tree["d1"].pk, tree["b1"].pk, tree["c11"].pk}
    number, seen = 1, []
    while True:
        response = _get(client, q=Q, p=number)
        results = response.context["results"]
        seen += results.hits
        assert {key for key, _label, _n in results.facets["issuer"]} == {tree["d2"].pk}
        assert sum(n for _k, _l, n in results.facets["kind"]) == results.count
        html = response.content.decode()
        assert "Huyện 1" not in html and "05-NQ/HU" not in html
        if not response.context["page_obj"].has_next():
            break
        number += 1
    assert seen and not {h.issuer_org for h in seen} & foreign
    # asking for another district's items by its id shows nothing of them, not even its name
    response = _get(client, q=Q, issuer=tree["d1"].pk)
    assert response.context["results"].count == 0
    html = response.content.decode()
    assert "Huyện 1" not in html and "Đơn vị đã chọn" in html


def _more_on(world):
    tree = world["tree"]
    for i in range(3):
        published(NewsPage, tree["d1"], title=f"Tin chuyển đổi số huyện 1 số {i}", lead="")
        published(NewsPage, tree["d2"], title=f"Tin chuyển đổi số huyện 2 số {i}", lead="")
    indexing.rebuild()


def test_a_member_without_a_right_still_gets_no_admin_search(world, client):
    login(client, world["a"].user)
    assert client.get(URL, {"q": Q}).status_code in (302, 403, 404)


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "nonsense"}, "Loại nội dung không hợp lệ"),
        ({"issuer": "abc"}, "Đơn vị ban hành không hợp lệ"),
        ({"issuer": "-3"}, "Đơn vị ban hành không hợp lệ"),
        ({"issuer": "9" * 30}, "Đơn vị ban hành không hợp lệ"),
        ({"year": "-1"}, "Năm không hợp lệ"),
        ({"year": "hai nghìn"}, "Năm không hợp lệ"),
        ({"sort": "x"}, "Cách sắp xếp không hợp lệ"),
        ({"p": "0"}, "Số trang không hợp lệ"),
        ({"p": "abc"}, "Số trang không hợp lệ"),
        ({"p": "-2"}, "Số trang không hợp lệ"),
        ({"p": "٣"}, "Số trang không hợp lệ"),  # a digit, but not 0-9
    ],
)
def test_a_bad_value_is_dropped_with_a_vietnamese_message(world, client, params, message):
    _province_staff(client, world)
    response = _get(client, q="nghi quyet", **params)
    html = response.content.decode()
    assert message in html
    results = response.context["results"]  # the search ran without the bad value
    assert results.count == engine.search(response.wsgi_request.user, "nghi quyet").count
    assert response.context["page_obj"].number == 1


def test_a_page_beyond_the_last_shows_the_last(world, more, client, small_pages):
    _province_staff(client, world)
    for p in ("99999", "9" * 40):
        response = _get(client, q=Q, p=p)
        page = response.context["page_obj"]
        assert page.number == page.paginator.num_pages > 1 and list(page)
        html = response.content.decode()
        assert f"Chỉ có {page.paginator.num_pages} trang kết quả" in html


def test_a_page_beyond_an_empty_answer_is_no_error(world, client):
    _province_staff(client, world)
    response = _get(client, q="khong co gi ca", p=5)
    assert response.context["results"].count == 0
    html = response.content.decode()
    assert "Không tìm thấy nội dung phù hợp." in html and "Chỉ có" not in html


def test_a_very_long_query_is_cut_with_a_message(world, client):
    _province_staff(client, world)
    response = _get(client, q="nghi quyet " + "x" * 10_000)
    html = response.content.decode()
    assert "Từ khóa dài quá 200 ký tự" in html
    assert len(response.context["query"]) == engine.MAX_QUERY_CHARS
    assert "x" * 300 not in html


@pytest.mark.parametrize("q", ["x", "!!!", " "])
def test_too_little_to_search_is_a_message(world, client, q):
    _province_staff(client, world)
    html = _get(client, q=q, p="abc", kind="nonsense").content.decode()
    if q.strip():
        assert "ít nhất" in html
    assert "Traceback" not in html
