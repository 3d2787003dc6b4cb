"""The documents deployed to a unit and their reading, per document (issue 16): from the figures
the editorial provider stored, scoped to the caller's units on the dashboard, the API and the
member shell; sorted and paginated; bad input refused in Vietnamese; a constant handful of
queries that never counts receipts."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from editorial.models import DocumentReach, ReadReceipt
from sotay_plugins.orgtree.roles import CELL_SECRETARY, VIEWER
from sotay_plugins.reports.rollups import engine, services
from tests.factories import MemberFactory, UserFactory, document_page, login, staff

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))


def at(y, m, d, h=9):
    return datetime(y, m, d, h, tzinfo=TZ)


@pytest.fixture
def world(tree):
    """a and d (district 1), e (district 2) read; b has no smartphone and x is exempt (neither
    is asked to read by default). Four documents: to the province (February), to district 1,
    to district 2 and to cell 1.1 (March). 'Today' is 15/04/2026."""
    t = dict(tree)
    with time_machine.travel(at(2026, 1, 5), tick=False):
        t["a"] = MemberFactory(cell=t["c11"], full_name="An")
        t["b"] = MemberFactory(cell=t["c11"], full_name="Bé", has_smartphone=False)
        t["x"] = MemberFactory(cell=t["c11"], full_name="Xuân", group="exempt")
        t["d"] = MemberFactory(cell=t["c12"], full_name="Dũng")
        t["e"] = MemberFactory(cell=t["c21"], full_name="Em")
    with time_machine.travel(at(2026, 2, 10), tick=False):
        t["all"] = document_page(t["province"], title="Nghị quyết của Tỉnh", number="1-NQ/TU")
    with time_machine.travel(at(2026, 3, 2), tick=False):
        t["d1_doc"] = document_page(t["d1"], title="Kế hoạch của Huyện 1", number="2-KH/HU")
    with time_machine.travel(at(2026, 3, 3), tick=False):
        t["d2_doc"] = document_page(t["d2"], title="Chỉ thị của Huyện 2", number="3-CT/HU")
    with time_machine.travel(at(2026, 3, 4), tick=False):
        t["cell_doc"] = document_page(t["c11"], title="Thông báo Chi bộ 1.1", number="4-TB/CB")
    for doc, who, day in (
        ("all", "a", at(2026, 2, 11)),
        ("all", "a", at(2026, 2, 12)),  # the same member on another day: still one
        ("all", "d", at(2026, 2, 13)),
        ("all", "e", at(2026, 3, 1)),
        ("d1_doc", "a", at(2026, 3, 5)),
        ("d2_doc", "e", at(2026, 3, 5)),
        ("all", "b", at(2026, 3, 6)),  # b is not asked to read: not counted
    ):
        ReadReceipt.count_daily(t[doc], t[who], at=day)
    with time_machine.travel(at(2026, 4, 15), tick=False):
        engine.rebuild(JAN, APR)
    return t


@pytest.fixture
def today():
    with time_machine.travel(at(2026, 4, 15, 12), tick=False):
        yield


def admin():
    return UserFactory(username="quantri", is_superuser=True)


def table(result):
    return {row.title: (row.expected, row.opened, row.rate) for row in result.rows}


def test_each_document_deployed_to_a_district(world, today):
    result = services.documents(admin(), world["d1"], start=JAN, end=APR)
    assert result.count == 3
    assert table(result) == {
        "Nghị quyết của Tỉnh": (2, 2, 100.0),  # a and d of district 1 (not e, b, x)
        "Kế hoạch của Huyện 1": (2, 1, 50.0),
        "Thông báo Chi bộ 1.1": (1, 0, 0.0),  # sent to a cell under it: that cell's figures
    }
    assert result.excluded == ["Miễn sinh hoạt", "Không có điện thoại thông minh"]


def test_the_province_sees_every_document_with_its_audience(world, today):
    result = services.documents(admin(), world["province"], start=JAN, end=APR)
    assert table(result) == {
        "Nghị quyết của Tỉnh": (3, 3, 100.0),
        "Kế hoạch của Huyện 1": (2, 1, 50.0),
        "Chỉ thị của Huyện 2": (1, 1, 100.0),
        "Thông báo Chi bộ 1.1": (1, 0, 0.0),
    }
    # the period picks the documents published in it
    feb = services.documents(admin(), world["province"], start=FEB, end=FEB)
    assert [row.title for row in feb.rows] == ["Nghị quyết của Tỉnh"]


def test_sorted_and_paginated(world, today):
    rows = services.documents(admin(), world["province"], start=JAN, end=APR, order="rate").rows
    assert [r.title for r in rows][:2] == ["Thông báo Chi bộ 1.1", "Kế hoạch của Huyện 1"]
    latest = services.documents(admin(), world["province"], start=JAN, end=APR)
    assert latest.order == "-published" and latest.rows[0].title == "Thông báo Chi bộ 1.1"
    by_title = services.documents(admin(), world["province"], start=JAN, end=APR, order="title")
    assert [r.title for r in by_title.rows] == sorted(r.title for r in by_title.rows)
    first = services.documents(
        admin(), world["province"], start=JAN, end=APR, order="-expected", per_page=3
    )
    assert first.pages == 2 and first.rows[0].title == "Nghị quyết của Tỉnh"
    second = services.documents(
        admin(), world["province"], start=JAN, end=APR, order="-expected", page=2, per_page=3
    )
    assert len(second.rows) == 1
    assert {r.id for r in first.rows}.isdisjoint({r.id for r in second.rows})


def test_the_refresh_picks_up_the_days_readers(world, today):
    with time_machine.travel(at(2026, 4, 15, 11), tick=False):
        ReadReceipt.count_daily(world["d1_doc"], world["d"], at=at(2026, 4, 15, 10))
        engine.refresh()
    result = services.documents(admin(), world["d1"], start=JAN, end=APR)
    assert table(result)["Kế hoạch của Huyện 1"] == (2, 2, 100.0)
    assert DocumentReach.objects.get(page=world["d1_doc"], org_id=world["c12"].pk).opened == 1


# --- scope ------------------------------------------------------------------------------------


def test_a_district_never_sees_the_other_districts_documents(world, today, api, client):
    viewer = staff(VIEWER, world["d1"])
    mine = services.documents(viewer, None, start=JAN, end=APR)
    assert mine.unit.id == world["d1"].pk
    assert "Chỉ thị của Huyện 2" not in table(mine)
    with pytest.raises(services.NotInScope):
        services.documents(viewer, world["d2"], start=JAN, end=APR)
    with pytest.raises(services.NotInScope):
        services.documents(viewer, world["province"], start=JAN, end=APR)
    # the API
    api.force_authenticate(viewer)
    url = "/api/v1/reports/documents/"
    ok = api.get(url, {"from": "2026-01", "to": "2026-04", "order": "-rate"})
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert body["count"] == 3 and body["org"]["id"] == world["d1"].pk
    assert {r["title"] for r in body["results"]} == {
        "Nghị quyết của Tỉnh",
        "Kế hoạch của Huyện 1",
        "Thông báo Chi bộ 1.1",
    }
    row = next(r for r in body["results"] if r["title"] == "Kế hoạch của Huyện 1")
    assert (row["expected"], row["opened"], row["rate"]) == (2, 1, 50.0)
    assert row["audience_org"] == world["d1"].pk and row["issuer_org"] == world["d1"].pk
    outside = api.get(url, {"org": world["d2"].pk})
    assert outside.status_code == 404
    assert outside.json()["detail"] == "Đơn vị này nằm ngoài phạm vi báo cáo của bạn."
    api.force_authenticate(UserFactory())
    assert api.get(url).status_code == 403
    # the admin page
    login(client, viewer)
    page = client.get(reverse("reports_admin:documents"), {"start": "01/2026", "end": "04/2026"})
    html = page.content.decode()
    assert page.status_code == 200 and "Kế hoạch của Huyện 1" in html
    assert "Chỉ thị của Huyện 2" not in html and "aria-sort" in html
    outside = client.get(reverse("reports_admin:documents"), {"org": world["d2"].pk})
    assert outside.status_code == 404 and "nằm ngoài phạm vi báo cáo" in outside.content.decode()


def test_a_cell_secretary_on_the_phone(world, today, client):
    login(client, staff(CELL_SECRETARY, world["c11"]))
    page = client.get(reverse("reports:my_documents"), {"start": "01/2026", "end": "04/2026"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Thông báo Chi bộ 1.1" in html and "Nghị quyết của Tỉnh" in html
    assert "Chỉ thị của Huyện 2" not in html
    assert client.get(reverse("reports:my_documents"), {"org": world["c12"].pk}).status_code == 404
    # the dashboard links to it
    assert reverse("reports:my_documents") in client.get(reverse("reports:my")).content.decode()
    login(client, world["a"].user)  # a member without the right
    assert client.get(reverse("reports:my_documents")).status_code == 404


# --- bad input --------------------------------------------------------------------------------


def test_bad_input_is_refused_in_vietnamese(world, today, api, client):
    with pytest.raises(ValidationError, match="Tháng kết thúc phải sau"):
        services.documents(admin(), world["d1"], start=APR, end=JAN)
    with pytest.raises(ValidationError, match="Cách sắp xếp không hợp lệ"):
        services.documents(admin(), world["d1"], order="views")
    with pytest.raises(ValidationError, match="Trang 5 không tồn tại"):
        services.documents(admin(), world["d1"], start=JAN, end=APR, page=5)
    api.force_authenticate(admin())
    url = "/api/v1/reports/documents/"
    for params, field in (
        ({"from": "2026-04", "to": "2026-01"}, "to"),
        ({"order": "--rate"}, "order"),
        ({"page": "0"}, "page"),
        ({"page": "9", "from": "2026-01", "to": "2026-04"}, "page"),
        ({"page": "abc"}, "page"),
        ({"org": "abc"}, "org"),
    ):
        response = api.get(url, params)
        assert response.status_code == 400, (params, response.content)
        assert field in response.json()["fields"], response.json()
    assert "không tồn tại" in str(api.get(url, {"page": "9"}).json())
    login(client, admin())
    page = client.get(reverse("reports_admin:documents"), {"start": "04/2026", "end": "01/2026"})
    assert page.status_code == 400 and "Tháng kết thúc phải sau" in page.content.decode()
    page = client.get(reverse("reports_admin:documents"), {"page": "7"})
    assert page.status_code == 400 and "không tồn tại" in page.content.decode()


# --- cost -------------------------------------------------------------------------------------


def test_a_province_request_reads_stored_figures_in_a_few_queries(
    world, today, api, django_assert_max_num_queries
):
    viewer = staff(VIEWER, world["province"])
    api.force_authenticate(viewer)
    url = "/api/v1/reports/documents/"
    api.get(url)  # warm the grants cache
    for n in range(6):  # more documents and readers do not add queries
        doc = document_page(world["province"], title=f"Văn bản {n}", number=f"{n}-VB")
        ReadReceipt.count_daily(doc, world["a"], at=at(2026, 4, 15, 10))
    with time_machine.travel(at(2026, 4, 15, 13), tick=False):
        engine.refresh()
    with django_assert_max_num_queries(10) as queries:
        response = api.get(url, {"from": "2026-01", "to": "2026-12", "order": "-rate"})
    assert response.status_code == 200 and response.json()["count"] == 10
    sql = " ".join(q["sql"] for q in queries.captured_queries).lower()
    assert "editorial_readreceipt" not in sql and "members_member" not in sql


def test_postgresql_counts_the_openers_as_the_python_path_does(world, today):
    """PostgreSQL counts and writes the openers in SQL (``_reach_in_sql``); SQLite, one pair at
    a time in Python. Both give the same rows, the excluded groups left out."""
    from unittest import mock

    from django.db import connection

    from editorial import statistics

    if connection.vendor != "postgresql":
        pytest.skip("the SQL path runs on PostgreSQL only")
    exclude = frozenset({"exempt", "no_smartphone"})

    def stored():
        return sorted(DocumentReach.objects.values_list("page_id", "org_id", "opened"))

    statistics.refresh_items(None, exclude=exclude)
    in_sql = stored()
    with mock.patch.object(connection, "vendor", "sqlite"):
        statistics.refresh_items(None, exclude=exclude)
    in_python = stored()
    assert in_sql == in_python and len(in_sql) >= 8
    # b (no smartphone) opened the province's document: counted nowhere
    assert (world["all"].pk, world["c11"].pk, 1) in in_sql
    # an incremental refresh of one document rewrites that document's rows only
    statistics.refresh_items(
        datetime(2026, 3, 5, 12, tzinfo=TZ), exclude=exclude
    )  # d1_doc and d2_doc were opened on the 5th; published since: none
    assert stored() == in_sql
