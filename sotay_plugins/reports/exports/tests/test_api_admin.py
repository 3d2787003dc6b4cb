"""/api/v1/reports/exports/ and the admin pages (Báo cáo – Thống kê → Xuất báo cáo): scope, bad
input, someone else's export, the schema."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from sotay_plugins.reports.exports.models import Export
from tests.factories import MemberFactory, login

TODAY = date.today()
URL = "/api/v1/reports/exports/"


def body(org, **extra):
    return {
        "kind": "members",
        "org": org.pk,
        "period_start": f"{TODAY.replace(day=1):%Y-%m-%d}",
        "period_end": f"{TODAY:%Y-%m-%d}",
        **extra,
    }


def post(api, user, data, capture):
    api.force_authenticate(user)
    with capture(execute=True):
        return api.post(URL, data, format="json")


def test_request_progress_and_download_through_the_api(
    api, world, django_capture_on_commit_callbacks
):
    response = post(api, world["viewer_d1"], body(world["d1"]), django_capture_on_commit_callbacks)
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    one = api.get(f"{URL}{pk}/").json()
    assert one["status"] == "done" and one["progress"] == 100 and one["org"] == world["d1"].pk
    assert one["download_url"] == f"{URL}{pk}/download/"
    download = api.get(one["download_url"])
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content)[:2] == b"PK"
    listed = api.get(URL).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == pk


def test_someone_elses_export_is_404_in_the_api_and_the_admin(
    api, client, world, django_capture_on_commit_callbacks
):
    pk = post(
        api, world["viewer_d1"], body(world["d1"]), django_capture_on_commit_callbacks
    ).json()["id"]
    for other in (world["updater_d1"], world["viewer_province"]):
        api.force_authenticate(other)
        assert api.get(f"{URL}{pk}/").status_code == 404
        response = api.get(f"{URL}{pk}/download/")
        assert response.status_code == 404 and "Không tìm thấy" in response.json()["detail"]
        assert api.get(URL).json()["count"] == 0
        login(client, other)
        assert client.get(reverse("reports_exports:download", args=[pk])).status_code == 404
        assert client.get(reverse("reports_exports:detail", args=[pk])).status_code == 404


def test_a_unit_out_of_scope_is_404_and_nothing_is_made(api, world):
    api.force_authenticate(world["viewer_d1"])
    response = api.post(URL, body(world["d2"]), format="json")
    assert response.status_code == 404 and "phạm vi" in response.json()["detail"]
    assert api.post(URL, {**body(world["d1"]), "org": 10**12}, format="json").status_code == 404
    assert not Export.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"period_end": f"{TODAY - timedelta(days=40):%Y-%m-%d}"}, "period_end"),
        ({"period_start": "2000-01-01", "period_end": "2020-01-01"}, "period_end"),
        ({"period_start": "01/12/2026"}, "period_start"),
        ({"kind": "everything"}, "kind"),
        ({"filters": {"cccd": "x"}}, "filters"),
        ({"filters": [None, None]}, "filters"),  # schemathesis: was a 500 (a brace in a message)
        ({"kind": "monthly", "month": "2026-13"}, "month"),
        ({"format": "pdf"}, "format"),
    ],
)
def test_bad_input_is_a_vietnamese_400_naming_the_field(api, world, extra, field):
    api.force_authenticate(world["viewer_d1"])
    response = api.post(URL, body(world["d1"], **extra), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert not Export.objects.exists()


def test_personal_data_without_the_right_is_403_in_vietnamese(api, world):
    api.force_authenticate(world["viewer_d1"])
    response = api.post(URL, body(world["d1"], personal=True), format="json")
    assert response.status_code == 403 and "thông tin cá nhân" in response.json()["detail"]
    assert not Export.objects.exists()


def test_the_same_request_twice_is_one_export(api, world):
    api.force_authenticate(world["viewer_d1"])
    first = api.post(URL, body(world["d1"]), format="json")  # no commit: the job stays pending
    second = api.post(URL, body(world["d1"]), format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"] and Export.objects.count() == 1


def test_the_list_costs_the_same_whatever_its_length(api, world, django_assert_max_num_queries):
    api.force_authenticate(world["viewer_d1"])
    for month in range(1, 6):
        api.post(URL, body(world["d1"], period_start=f"{TODAY.year - 1}-{month:02d}-01"))
    with django_assert_max_num_queries(4):
        response = api.get(URL)
    assert response.json()["count"] == 5


def test_the_endpoints_are_in_the_schema(api, world):
    api.force_authenticate(world["viewer_d1"])
    paths = api.get("/api/v1/schema/?format=json").json()["paths"]
    assert {"post", "get"} <= set(paths[URL])
    assert "get" in paths[URL + "{id}/"] and "get" in paths[URL + "{id}/download/"]


# --- the admin -----------------------------------------------------------------------------------


def test_the_admin_page_asks_shows_progress_and_downloads(
    client, world, django_capture_on_commit_callbacks
):
    login(client, world["viewer_d1"])
    page = client.get(reverse("reports_exports:index"))
    assert page.status_code == 200 and "Xuất báo cáo" in page.content.decode()
    units = {o.pk for o in page.context["form"].fields["org"].queryset}
    assert world["d1"].pk in units and world["d2"].pk not in units
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports_exports:index"),
            {
                "kind": "summary",
                "org": world["d1"].pk,
                "format": "pdf",
                "period_start": f"{TODAY.replace(day=1):%Y-%m-%d}",
                "period_end": f"{TODAY:%Y-%m-%d}",
                "status": "active",
            },
        )
    export = Export.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{export.pk}/")
    detail = client.get(response["Location"]).content.decode()
    assert "Tải về" in detail
    download = client.get(reverse("reports_exports:download", args=[export.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


def test_the_admin_form_refuses_bad_input_in_vietnamese(client, world):
    login(client, world["viewer_d1"])
    response = client.post(
        reverse("reports_exports:index"),
        {
            "kind": "members",
            "org": world["d1"].pk,
            "format": "xlsx",
            "period_start": f"{TODAY:%Y-%m-%d}",
            "period_end": f"{TODAY - timedelta(days=3):%Y-%m-%d}",
            "personal": "on",
        },
    )
    assert response.status_code == 200 and not Export.objects.exists()
    text = response.content.decode()
    assert "thông tin cá nhân" in text
    response = client.post(
        reverse("reports_exports:index"),
        {"kind": "members", "org": world["d2"].pk, "format": "xlsx"},
    )
    assert "không thuộc phạm vi" in response.content.decode() and not Export.objects.exists()


def test_a_member_without_the_right_sees_no_export_page(client, world):
    member = MemberFactory(cell=world["c11"])
    login(client, member.user)
    response = client.get(reverse("reports_exports:index"))
    assert response.status_code in (302, 403)  # to the login page, or refused
    assert "Xuất báo cáo" not in response.content.decode()


def test_the_menu_offers_exports_under_reports_to_those_who_may(world):
    from django.test import RequestFactory
    from wagtail.admin.menu import admin_menu

    def submenu(user):
        request = RequestFactory().get("/quan-tri/")
        request.user = user
        found = {item.name: item for item in admin_menu.menu_items_for_request(request)}
        if "bao-cao-thong-ke" not in found:
            return None
        return [i.name for i in found["bao-cao-thong-ke"].menu.menu_items_for_request(request)]

    assert "xuat-bao-cao" in submenu(world["viewer_d1"])
    assert submenu(MemberFactory(cell=world["c11"]).user) is None
