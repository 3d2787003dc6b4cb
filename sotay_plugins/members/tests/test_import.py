"""The spreadsheet import: template, dry run, upsert, idempotency, scope, bad input, shell,
admin."""

import os
import zipfile
from datetime import date, datetime
from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from sotay_plugins import jobs
from sotay_plugins.members import importing as importer
from sotay_plugins.members.importing import applying, reading
from sotay_plugins.members.models import ImportBatch, Member
from sotay_plugins.models import OutboxJob
from sotay_plugins.orgtree.models import RoleAssignment
from sotay_plugins.orgtree.roles import CELL_SECRETARY, MEMBER_UPDATER, VIEWER
from tests.factories import MemberFactory, UserFactory, grant

from .helpers import HEADERS, KEYS, person, rows_for, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded spreadsheets go to a throw-away directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def updater(tree):
    user = UserFactory(username="capnhat.d1")
    grant(user, MEMBER_UPDATER, tree["d1"])
    return user


def all_messages(report):
    return [m for item in report.errors for m in item["errors"]]


# --- template -----------------------------------------------------------------------------


def test_template_has_the_vietnamese_headers_and_a_help_sheet(tree):
    data = importer.build_template(importer.template_cells(tree["d1"]))
    wb = load_workbook(BytesIO(data))
    assert wb.sheetnames == [importer.LIST_SHEET, importer.HELP_SHEET]
    header = [c.value for c in wb[importer.LIST_SHEET][1]]
    assert header[:5] == [
        "Họ và tên",
        "Ngày sinh (dd/mm/yyyy)",
        "Giới tính (Nam/Nữ)",
        "Số CCCD",
        "Mã chi bộ",
    ]
    assert "Có điện thoại thông minh (Có/Không)" in header
    help_text = [c.value for row in wb[importer.HELP_SHEET].iter_rows() for c in row if c.value]
    assert "Bí thư chi bộ" in help_text and "bi_thu_chi_bo" in help_text
    assert (
        tree["c11"].code in help_text and tree["c21"].code not in help_text
    )  # only the unit's own cells


def test_the_blank_template_is_readable_but_has_no_rows(tree):
    with pytest.raises(importer.ImportFileError) as exc:
        importer.check(BytesIO(importer.build_template()), tree["d1"])
    assert "không có dòng dữ liệu" in exc.value.messages[0]


# --- dry run and import ------------------------------------------------------------------


def test_dry_run_reports_and_writes_nothing(tree, updater):
    report = importer.check(xlsx(rows_for(tree, 3)), tree["d1"], updater)
    assert report.ok and (report.total_rows, report.created, report.updated, report.unchanged) == (
        3,
        3,
        0,
        0,
    )
    assert Member.objects.count() == 0


def test_import_creates_members_with_inactive_accounts_and_record_numbers(tree, updater):
    rows = rows_for(tree, 2)
    rows[0]["positions"] = "Bí thư chi bộ, chi_uy_vien"
    rows[1].update(
        party_record_no=None,
        membership="Dự bị",
        official_on=None,
        has_smartphone="Không",
        group=None,
    )
    report = importer.run(xlsx(rows), tree["d1"], user=updater)
    assert report.applied and (report.created, report.updated, report.unchanged) == (2, 0, 0)
    first = Member.objects.select_related("user").get(cccd=rows[0]["cccd"])
    second = Member.objects.select_related("user").get(cccd=rows[1]["cccd"])
    assert (
        first.user.username == first.cccd
        and not first.user.is_active
        and not first.user.has_usable_password()
    )
    assert first.positions == {"bi_thu_chi_bo", "chi_uy_vien"} and first.cell == tree["c11"]
    assert (
        first.birth_date == date(1970, 5, 2)
        and first.phone == "0912345678"
        and first.group == "retired"
    )
    assert (
        second.membership == "probationary"
        and second.has_smartphone is False
        and second.group == "official"
    )
    prefix = f"{tree['d1'].local_code}.{tree['b1'].local_code}."
    assert {first.party_record_no, second.party_record_no} == {f"{prefix}000001", f"{prefix}000002"}
    # a member updater may not give the cell-secretary role: the position is kept, no right is
    # created, and the report says so (tests/test_auth_hardening.py: an admin's import grants it)
    assert not RoleAssignment.objects.filter(user=first.user).exists()
    assert not RoleAssignment.objects.filter(user=second.user).exists()
    assert len(report.notes) == 1 and tree["c11"].name in report.notes[0]


def test_record_numbers_continue_after_the_highest_stored_one(tree):
    prefix = f"{tree['d1'].local_code}.{tree['b1'].local_code}."
    MemberFactory(cell=tree["c11"], party_record_no=f"{prefix}000041")
    importer.run(xlsx(rows_for(tree, 1)), tree["d1"])
    assert Member.objects.filter(party_record_no=f"{prefix}000042").exists()


def test_a_second_run_of_the_same_file_changes_nothing(tree, updater):
    source = xlsx(rows_for(tree, 5))
    importer.run(source, tree["d1"], user=updater)
    before = {m.cccd: (m.updated_at, m.party_record_no) for m in Member.objects.all()}
    again = importer.run(source, tree["d1"], user=updater)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert {m.cccd: (m.updated_at, m.party_record_no) for m in Member.objects.all()} == before
    assert Member.objects.count() == 5


def test_update_writes_only_given_fields_and_blank_cells_keep_data(tree, updater):
    member = MemberFactory(
        cell=tree["c11"], phone="0900000000", home_town="Quê cũ", party_card_no="123"
    )
    row = person(
        cell=tree["c11"].code,
        cccd=member.cccd,
        full_name=member.full_name,
        birth_date=member.birth_date.strftime("%d/%m/%Y"),
        phone="0987654321",
        home_town=None,
        party_card_no=None,
        positions=None,
        group=None,
        permanent_address=None,
        has_smartphone=None,
    )
    report = importer.run(xlsx([row]), tree["d1"], user=updater)
    assert (report.created, report.updated) == (0, 1)
    member.refresh_from_db()
    assert (
        member.phone == "0987654321"
        and member.home_town == "Quê cũ"
        and member.party_card_no == "123"
    )
    assert member.party_record_no.startswith("01.001.")  # kept, not re-issued


def test_removing_the_secretary_position_removes_the_role(tree):
    member = MemberFactory(cell=tree["c11"], positions={"bi_thu_chi_bo"})
    RoleAssignment.objects.create(
        user=member.user, role_id=_role_id(CELL_SECRETARY), org=tree["c11"]
    )
    row = person(
        cell=tree["c11"].code, cccd=member.cccd, full_name=member.full_name, positions="Đảng viên"
    )
    importer.run(xlsx([row]), tree["d1"])
    assert not RoleAssignment.objects.filter(user=member.user, role__code=CELL_SECRETARY).exists()


def _role_id(code):
    from sotay_plugins.orgtree.models import Role

    return Role.objects.get(code=code).pk


def test_excel_numbers_and_dates_are_understood(tree):
    row = person(cell=tree["c11"].code)
    cccd = row["cccd"]
    row.update(
        cccd=int(cccd), phone=912345678, birth_date=datetime(1970, 5, 2), joined_on=date(2000, 1, 1)
    )
    report = importer.run(xlsx([row]), tree["d1"])
    assert report.applied and report.created == 1
    member = Member.objects.get()
    assert (
        member.cccd == cccd
        and member.phone == "0912345678"
        and member.joined_on == date(2000, 1, 1)
    )


def test_headers_match_without_case_or_diacritics(tree):
    headers = ["ho va ten", "NGAY SINH", "gioi tinh", "so cccd", "Ma Chi Bo"]
    keys = ["full_name", "birth_date", "gender", "cccd", "cell"]
    report = importer.run(
        xlsx([person(cell=tree["c11"].code, joined_on=None)], headers=headers, keys=keys),
        tree["d1"],
    )
    assert report.applied and report.created == 1


def test_a_title_above_the_header_is_allowed(tree):
    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH ĐẢNG VIÊN CHI BỘ 1.1"])
    ws.append([])
    ws.append(HEADERS)
    ws.append([person(cell=tree["c11"].code).get(key) for key in KEYS])
    out = BytesIO()
    wb.save(out)
    report = importer.check(out, tree["d1"])
    assert report.ok and report.created == 1


def test_empty_rows_are_skipped_and_row_numbers_are_excel_rows(tree):
    rows = rows_for(tree, 3)
    rows[2]["cccd"] = "12345"
    report = importer.check(xlsx(rows, blank_rows=(1, 2)), tree["d1"])
    assert report.total_rows == 3
    assert report.errors == [
        {
            "row": 6,
            "errors": ["Dòng 6, cột Số CCCD: Số CCCD phải gồm đúng 12 chữ số (đang có 5 ký tự)."],
        }
    ]


# --- bad rows: every error of a row, in Vietnamese; nothing imported -------------------------


def test_every_error_of_a_row_is_reported_and_nothing_is_imported(tree):
    rows = rows_for(tree, 3)
    rows[1].update(
        full_name=None,
        birth_date="31/02/1970",
        gender="X",
        group="Không có",
        positions="Bí thư chi bộ, Thủ quỹ",
        phone="abc",
        has_smartphone="Có lẽ",
    )
    report = importer.run(xlsx(rows), tree["d1"])
    assert not report.applied and report.error_rows == 1
    assert report.errors[0]["row"] == 3
    messages = report.errors[0]["errors"]
    assert "Dòng 3, cột Họ và tên: Chưa nhập." in messages
    assert "Dòng 3, cột Ngày sinh: Ngày “31/02/1970” không có thật." in messages
    assert "Dòng 3, cột Giới tính: Giới tính phải là Nam hoặc Nữ (đang ghi “X”)." in messages
    assert any(m.startswith("Dòng 3, cột Chức vụ:") and "“Thủ quỹ”" in m for m in messages)
    assert any(m.startswith("Dòng 3, cột Nhóm đảng viên:") for m in messages)
    assert any(m.startswith("Dòng 3, cột Số điện thoại:") for m in messages)
    assert any(m.startswith("Dòng 3, cột Có điện thoại thông minh:") for m in messages)
    assert Member.objects.count() == 0


@pytest.mark.parametrize(
    ("cccd", "fragment"),
    [
        ("03408500123", "đúng 12 chữ số"),
        ("999085001234", "không phải mã tỉnh"),
        ("034170001234", "Chữ số thứ 4"),  # says female, row says Nam
        ("034099001234", "Chữ số thứ 5–6"),  # born 1999, row says 1970
        ("0340850O1234", "12 chữ số"),
    ],
)
def test_malformed_cccd(tree, cccd, fragment):
    report = importer.run(xlsx([person(cell=tree["c11"].code, cccd=cccd)]), tree["d1"])
    assert not report.applied
    [message] = all_messages(report)
    assert message.startswith("Dòng 2, cột Số CCCD:") and fragment in message
    assert Member.objects.count() == 0


def test_duplicate_cccd_within_the_file(tree):
    rows = rows_for(tree, 3)
    rows[2]["cccd"] = rows[0]["cccd"]
    report = importer.run(xlsx(rows), tree["d1"])
    assert [item["row"] for item in report.errors] == [2, 4]
    assert all("bị lặp ở các dòng 2, 4" in m for m in all_messages(report))
    assert Member.objects.count() == 0


def test_cccd_of_a_member_outside_the_unit_is_an_error_not_a_transfer(tree, updater):
    outsider = MemberFactory(cell=tree["c21"], full_name="Người Huyện Hai")
    rows = rows_for(tree, 2)
    rows[1].update(
        cccd=outsider.cccd,
        full_name="Tên khác",
        birth_date=outsider.birth_date.strftime("%d/%m/%Y"),
    )
    report = importer.run(xlsx(rows), tree["d1"], user=updater)
    [message] = all_messages(report)
    assert message.startswith("Dòng 3, cột Số CCCD:") and "ngoài Huyện 1" in message
    assert "Chi bộ 2.1" not in message  # does not reveal where the person is
    outsider.refresh_from_db()
    assert outsider.cell == tree["c21"] and outsider.full_name == "Người Huyện Hai"
    assert Member.objects.count() == 1


def test_member_of_another_cell_inside_the_unit_needs_a_transfer(tree):
    member = MemberFactory(cell=tree["c12"])
    row = person(cell=tree["c11"].code, cccd=member.cccd, full_name=member.full_name)
    [message] = all_messages(importer.run(xlsx([row]), tree["d1"]))
    assert "chuyển sinh hoạt" in message and "Chi bộ 1.2" in message
    member.refresh_from_db()
    assert member.cell == tree["c12"]


def test_cccd_used_by_a_staff_account(tree):
    row = person(cell=tree["c11"].code)
    UserFactory(username=row["cccd"])
    [message] = all_messages(importer.run(xlsx([row]), tree["d1"]))
    assert "tên đăng nhập của một tài khoản khác" in message
    assert Member.objects.count() == 0


def test_record_number_of_another_member(tree):
    other = MemberFactory(cell=tree["c11"])
    row = person(cell=tree["c11"].code, party_record_no=other.party_record_no)
    [message] = all_messages(importer.run(xlsx([row]), tree["d1"]))
    assert (
        message.startswith("Dòng 2, cột Số lý lịch:")
        and "đã thuộc về một đảng viên khác" in message
    )


def test_model_rules_apply(tree):
    row = person(cell=tree["c11"].code, joined_on="01/01/2005", official_on="01/01/2004")
    [message] = all_messages(importer.run(xlsx([row]), tree["d1"]))
    assert message == "Dòng 2, cột Ngày chính thức: Ngày chính thức phải sau ngày vào Đảng."


@pytest.mark.parametrize(
    ("unit", "fragment"),
    [
        ("b1", "không phải chi bộ"),  # a base organisation, not a cell
        ("d1", "không phải chi bộ"),
        ("c21", "không thuộc Huyện 1"),  # a cell of the other district
    ],
)
def test_members_only_go_to_cells_under_the_unit(tree, unit, fragment):
    row = person(cell=tree[unit].code)
    [message] = all_messages(importer.run(xlsx([row]), tree["d1"]))
    assert message.startswith("Dòng 2, cột Mã chi bộ:") and fragment in message
    assert Member.objects.count() == 0


def test_unknown_and_closed_cells(tree):
    tree["c12"].is_active = False
    tree["c12"].save()
    rows = [person(cell="99.99"), person(cell=tree["c12"].code)]
    messages = all_messages(importer.run(xlsx(rows), tree["d1"]))
    assert messages == [
        "Dòng 2, cột Mã chi bộ: Không có chi bộ nào mang mã 99.99.",
        "Dòng 3, cột Mã chi bộ: Chi bộ Chi bộ 1.2 không còn hoạt động.",
    ]


# --- bad files -----------------------------------------------------------------------------


def test_wrong_columns_are_named(tree):
    headers = ["Họ và tên", "Ngày sinh", "Giới tính", "Số CMND", "Mã chi bộ", "Mã chi bộ"]
    with pytest.raises(importer.ImportFileError) as exc:
        importer.check(
            xlsx([["A", "02/05/1970", "Nam", "1", "x", "y"]], headers=headers), tree["d1"]
        )
    text = " ".join(exc.value.messages)
    assert "Thiếu cột bắt buộc: Số CCCD." in text
    assert "Có cột không nhận ra: “Số CMND”." in text
    assert "Có cột bị lặp: “Mã chi bộ”." in text


def test_oversize_file_is_refused_before_parsing(tree, tmp_path, monkeypatch):
    big = tmp_path / "lon.xlsx"
    with open(big, "wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.seek(20 * 1024 * 1024)
        handle.write(b"\0")
    monkeypatch.setattr(reading, "open_workbook", lambda f: pytest.fail("parsed an oversize file"))
    with pytest.raises(importer.ImportFileError) as exc:
        importer.check(str(big), tree["d1"])
    assert exc.value.messages == [
        "Tệp quá lớn (20,0 MB); giới hạn là 10 MB. Xin chia danh sách thành nhiều tệp."
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"Ho va ten;Ngay sinh\nA;1970\n",  # a CSV renamed .xlsx
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,  # an old .xls (OLE2)
        b"PK\x03\x04 broken zip",
        "zip-not-xlsx",
    ],
)
def test_not_an_excel_file(tree, content):
    if content == "zip-not-xlsx":
        data = BytesIO()
        with zipfile.ZipFile(data, "w") as archive:
            archive.writestr("word/document.xml", "<w/>")
        content = data.getvalue()
    source = BytesIO(content)
    source.name = "danh-sach.xlsx"
    with pytest.raises(importer.ImportFileError) as exc:
        importer.check(source, tree["d1"])
    assert exc.value.messages == [
        "Tệp không phải bảng tính Excel (.xlsx) hợp lệ. Xin dùng mẫu tải về và lưu dưới dạng .xlsx."
    ]


# --- scope ---------------------------------------------------------------------------------


def test_updater_cannot_import_outside_their_subtree(tree, updater):
    rows = rows_for(tree, 1, cell="c21")
    with pytest.raises(importer.ImportFileError) as exc:
        importer.run(xlsx(rows), tree["d2"], user=updater)
    assert "không có quyền nhập đảng viên vào Huyện 2" in exc.value.messages[0]
    with pytest.raises(importer.ImportFileError):
        importer.run(xlsx(rows), tree["province"], user=updater)  # nor above it
    assert Member.objects.count() == 0


def test_viewer_cannot_import(tree):
    viewer = UserFactory()
    grant(viewer, VIEWER, tree["d1"])
    with pytest.raises(importer.ImportFileError):
        importer.check(xlsx(rows_for(tree, 1)), tree["d1"], viewer)


def test_updater_of_a_base_imports_into_its_cells(tree):
    user = UserFactory()
    grant(user, MEMBER_UPDATER, tree["b1"])
    assert importer.run(xlsx(rows_for(tree, 2, cell="c12")), tree["b1"], user=user).created == 2


# --- cost ----------------------------------------------------------------------------------


def test_query_count_does_not_grow_with_rows(tree):
    """Reads are per chunk, not per row. (SQLite splits a bulk INSERT by its parameter limit;
    PostgreSQL sends one, so there the totals are equal too.)"""

    def queries(n):
        Member.objects.all().delete()
        source = xlsx(rows_for(tree, n, positions="Bí thư chi bộ"))
        with CaptureQueriesContext(connection) as ctx:
            importer.run(source, tree["d1"])
        sql = [q["sql"] for q in ctx.captured_queries]
        return len(sql), [q for q in sql if not q.startswith("INSERT")]

    (small_total, small_reads), (large_total, large_reads) = queries(5), queries(200)
    assert len(large_reads) == len(small_reads) < 20
    if connection.vendor == "postgresql":
        assert large_total == small_total


# --- the shell -----------------------------------------------------------------------------


def _file(tmp_path, rows, **kwargs):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(xlsx(rows, **kwargs).getvalue())
    return str(path)


def test_command_dry_run_writes_nothing(tree, tmp_path):
    out = StringIO()
    call_command(
        "import_members",
        _file(tmp_path, rows_for(tree, 2)),
        "--org",
        tree["d1"].code,
        "--dry-run",
        stdout=out,
        stderr=StringIO(),
    )
    assert "Kiểm tra: 2 dòng, 0 dòng lỗi; sẽ thêm mới 2" in out.getvalue()
    assert Member.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_command_imports_and_keeps_a_batch(tree, tmp_path):
    out, err = StringIO(), StringIO()
    path = _file(tmp_path, rows_for(tree, 3))
    call_command("import_members", path, "--org", tree["d1"].code, stdout=out, stderr=err)
    assert "Đã nhập: 3 dòng; thêm mới 3, cập nhật 0, không đổi 0." in out.getvalue()
    assert "6/6 (100%)" in err.getvalue()
    batch = ImportBatch.objects.get()
    assert (batch.state, batch.created, batch.org) == ("done", 3, tree["d1"])
    out = StringIO()
    call_command("import_members", path, "--org", tree["d1"].code, stdout=out, stderr=StringIO())
    assert "thêm mới 0, cập nhật 0, không đổi 3" in out.getvalue()


def test_command_with_row_errors_exits_1_and_imports_nothing(tree, tmp_path):
    rows = rows_for(tree, 3)
    rows[1]["cccd"] = "123"
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(
            "import_members",
            _file(tmp_path, rows),
            "--org",
            tree["d1"].code,
            stdout=out,
            stderr=StringIO(),
        )
    assert exc.value.returncode == 1
    assert "Dòng 3, cột Số CCCD:" in out.getvalue()
    assert Member.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_command_refuses_unusable_input(tree, tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_text("không phải excel")
    err = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(
            "import_members", str(bad), "--org", tree["d1"].code, stdout=StringIO(), stderr=err
        )
    assert exc.value.returncode == 2 and "không phải bảng tính Excel" in err.getvalue()
    with pytest.raises(CommandError) as exc:
        call_command(
            "import_members", str(bad), "--org", "KHONG-CO", stdout=StringIO(), stderr=StringIO()
        )
    assert exc.value.returncode == 2


def test_command_scoped_as_a_user(tree, tmp_path, updater):
    with pytest.raises(CommandError) as exc:
        call_command(
            "import_members",
            _file(tmp_path, rows_for(tree, 1, cell="c21")),
            "--org",
            tree["d2"].code,
            "--user",
            updater.username,
            stdout=StringIO(),
            stderr=StringIO(),
        )
    assert exc.value.returncode == 2 and Member.objects.count() == 0


# --- the admin -----------------------------------------------------------------------------

URL = "/quan-tri/nhap-dang-vien/"


def menu_names(user):
    from django.test import RequestFactory
    from wagtail.admin.menu import admin_menu

    request = RequestFactory().get("/quan-tri/")
    request.user = user
    return [item.name for item in admin_menu.menu_items_for_request(request)]


def test_menu_and_pages_only_for_importers(client, tree, updater):
    viewer = UserFactory()
    grant(viewer, VIEWER, tree["d1"])
    client.force_login(viewer)
    assert client.get(URL).status_code == 302
    assert client.get(f"{URL}mau.xlsx").status_code == 302
    assert "nhap-dang-vien" not in menu_names(viewer)
    client.force_login(updater)
    assert "nhap-dang-vien" in menu_names(updater)
    page = client.get(URL)
    assert page.status_code == 200
    options = page.context["form"].fields["org"].queryset
    assert set(options) == {tree["d1"], tree["b1"], tree["c11"], tree["c12"]}
    assert (
        f"mau.xlsx?org={tree['d1'].pk}" in page.content.decode()
    )  # the template with the district's cells


def test_template_download(client, tree, updater):
    client.force_login(updater)
    response = client.get(f"{URL}mau.xlsx?org={tree['d1'].pk}")
    assert response.status_code == 200 and response["Content-Type"] == importer.XLSX_CONTENT_TYPE
    wb = load_workbook(BytesIO(response.content))
    assert tree["c11"].code in [c.value for row in wb[importer.HELP_SHEET].iter_rows() for c in row]
    # another district's cells are not listed even if asked for
    other = load_workbook(BytesIO(client.get(f"{URL}mau.xlsx?org={tree['d2'].pk}").content))
    assert tree["c21"].code not in [
        c.value for row in other[importer.HELP_SHEET].iter_rows() for c in row
    ]


def test_upload_into_another_district_is_refused(client, tree, updater):
    client.force_login(updater)
    response = client.post(URL, {"org": tree["d2"].pk, "file": xlsx(rows_for(tree, 1, cell="c21"))})
    assert response.status_code == 200
    assert "Bạn không có quyền nhập vào đơn vị này" in response.content.decode()
    assert ImportBatch.objects.count() == 0 and Member.objects.count() == 0


def test_upload_of_bad_files_shows_the_reason(client, tree, updater, settings):
    client.force_login(updater)
    fake = BytesIO(b"hello")
    fake.name = "ds.xlsx"
    response = client.post(URL, {"org": tree["d1"].pk, "file": fake})
    assert "không phải bảng tính Excel" in response.content.decode()
    settings.SOTAY_IMPORT_MAX_BYTES = 100
    response = client.post(URL, {"org": tree["d1"].pk, "file": xlsx(rows_for(tree, 1))})
    assert "Tệp quá lớn" in response.content.decode()
    other = BytesIO(b"a;b")
    other.name = "ds.csv"
    assert (
        "Chỉ nhận tệp Excel .xlsx"
        in client.post(URL, {"org": tree["d1"].pk, "file": other}).content.decode()
    )
    assert ImportBatch.objects.count() == 0


def test_upload_with_row_errors_shows_them_and_cannot_be_confirmed(client, tree, updater):
    client.force_login(updater)
    rows = rows_for(tree, 2)
    rows[1]["cell"] = tree["c21"].code
    response = client.post(URL, {"org": tree["d1"].pk, "file": xlsx(rows)}, follow=True)
    page = response.content.decode()
    assert "Dòng 3, cột Mã chi bộ: Chi bộ mã" in page and "Kiểm tra tệp" not in page
    batch = ImportBatch.objects.get()
    assert (batch.state, batch.error_rows) == ("checked", 1)
    client.post(reverse("members_import:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == "checked" and batch.job is None and Member.objects.count() == 0


def test_upload_check_confirm_progress_result(
    client, tree, updater, django_capture_on_commit_callbacks
):
    client.force_login(updater)
    response = client.post(URL, {"org": tree["d1"].pk, "file": xlsx(rows_for(tree, 4))})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "members_import:batch", args=[batch.pk]
    )
    report = client.get(response["Location"]).content.decode()
    assert "Sẽ thêm mới" in report and Member.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members_import:confirm", args=[batch.pk]))
    assert response["Location"] == reverse("members_import:progress", args=[batch.pk])
    batch.refresh_from_db()
    assert (batch.state, batch.created, batch.updated, batch.unchanged) == ("done", 4, 0, 0)
    assert Member.objects.filter(cell=tree["c11"]).count() == 4
    job = OutboxJob.objects.get(pk=batch.job_id)
    assert (job.state, job.progress, job.total, job.percent) == ("done", 8, 8, 100)
    status = client.get(reverse("members_import:status", args=[batch.pk])).json()
    assert status["done"] and status["percent"] == 100 and status["created"] == 4
    # finished: the progress page hands over to the result
    assert client.get(response["Location"])["Location"] == reverse(
        "members_import:batch", args=[batch.pk]
    )
    assert (
        "Đã thêm mới"
        in client.get(reverse("members_import:batch", args=[batch.pk])).content.decode()
    )
    # one audit entry for the batch
    from wagtail.models import ModelLogEntry

    entry = ModelLogEntry.objects.get(action="sotay_members.import")
    assert entry.user == updater and entry.data["created"] == 4
    # a second confirm does nothing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members_import:confirm", args=[batch.pk]))
    assert OutboxJob.objects.count() == 1 and Member.objects.count() == 4


def test_progress_page_refreshes_while_running(client, tree, updater):
    client.force_login(updater)
    client.post(URL, {"org": tree["d1"].pk, "file": xlsx(rows_for(tree, 2))})
    batch = ImportBatch.objects.get()
    job = OutboxJob.objects.create(func=importer.JOB_FUNC, progress=1, total=4, state="running")
    ImportBatch.objects.filter(pk=batch.pk).update(state="running", job=job)
    page = client.get(reverse("members_import:progress", args=[batch.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress id="import-progress" max="100" value="25"' in page
    assert client.get(reverse("members_import:status", args=[batch.pk])).json()["percent"] == 25


def test_other_districts_batches_are_not_found(client, tree, updater):
    client.force_login(updater)
    client.post(URL, {"org": tree["d1"].pk, "file": xlsx(rows_for(tree, 1))})
    batch = ImportBatch.objects.get()
    other = UserFactory()
    grant(other, MEMBER_UPDATER, tree["d2"])
    client.force_login(other)
    for name in ("batch", "progress", "status"):
        assert client.get(reverse(f"members_import:{name}", args=[batch.pk])).status_code == 404
    assert client.post(reverse("members_import:confirm", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.state == "checked"


def test_job_rechecks_at_apply_time(tree, updater, django_capture_on_commit_callbacks):
    """A CCCD taken elsewhere between the dry run and the import: the job imports nothing."""
    rows = rows_for(tree, 3)
    source = xlsx(rows)
    batch = importer.start_batch(user=updater, org=tree["d1"], uploaded_file=source)
    MemberFactory(cell=tree["c21"], cccd=rows[1]["cccd"], birth_date=date(1970, 5, 2))
    with django_capture_on_commit_callbacks(execute=True):
        importer.confirm_batch(batch, updater)
    batch.refresh_from_db()
    assert batch.state == "failed" and batch.error_rows == 1 and batch.created == 0
    assert "ngoài Huyện 1" in batch.errors[0]["errors"][0]
    assert Member.objects.count() == 1


def test_job_refuses_when_the_right_was_withdrawn(
    tree, updater, django_capture_on_commit_callbacks
):
    batch = importer.start_batch(
        user=updater, org=tree["d1"], uploaded_file=xlsx(rows_for(tree, 2))
    )
    RoleAssignment.objects.filter(user=updater).delete()
    ImportBatch.objects.filter(pk=batch.pk).update(state="running")
    job = OutboxJob.objects.create(func=importer.JOB_FUNC, kwargs={"batch_id": batch.pk})
    jobs.run(job.pk)
    batch.refresh_from_db()
    assert batch.state == "failed" and "không có quyền" in batch.errors[0]["errors"][0]
    assert Member.objects.count() == 0


def test_a_crashed_job_is_marked_failed_and_a_retry_finishes_it(tree, updater, monkeypatch):
    batch = importer.start_batch(
        user=updater, org=tree["d1"], uploaded_file=xlsx(rows_for(tree, 3))
    )
    ImportBatch.objects.filter(pk=batch.pk).update(state="running")
    job = OutboxJob.objects.create(func=importer.JOB_FUNC, kwargs={"batch_id": batch.pk})
    real = applying.write_chunk

    def crash(*args, **kwargs):
        raise OSError("mất kết nối")

    monkeypatch.setattr(applying, "write_chunk", crash)
    with pytest.raises(OSError):
        jobs.run(job.pk)
    batch.refresh_from_db()
    assert batch.state == "failed" and "Lỗi hệ thống khi nhập" in batch.errors[0]["errors"][0]
    assert OutboxJob.objects.get(pk=job.pk).state == "failed" and Member.objects.count() == 0
    monkeypatch.setattr(applying, "write_chunk", real)
    jobs.run(job.pk)  # what RQ's retry does
    batch.refresh_from_db()
    assert (batch.state, batch.created, batch.error_rows) == ("done", 3, 0) and batch.errors == []
    assert Member.objects.count() == 3


def test_uploaded_spreadsheets_are_private_and_dropped_once_imported(
    tree, updater, django_capture_on_commit_callbacks
):
    from django.conf import settings

    batch = importer.start_batch(
        user=updater, org=tree["d1"], uploaded_file=xlsx(rows_for(tree, 2))
    )
    path = batch.file.path
    assert not path.startswith(str(settings.MEDIA_ROOT)) and batch.file.storage.exists(
        batch.file.name
    )
    with django_capture_on_commit_callbacks(execute=True):
        importer.confirm_batch(batch, updater)
    batch = ImportBatch.objects.get(pk=batch.pk)
    assert batch.state == ImportBatch.State.DONE and not batch.file
    assert not os.path.exists(path)


# --- all or nothing: a failure half-way ----------------------------------------------------


@pytest.fixture
def refuse_cccd():
    """Makes the database itself refuse to store a member with a given CCCD (a trigger, as a
    constraint or a full disk would refuse), until the returned ``lift()`` is called."""
    table = connection.ops.quote_name(Member._meta.db_table)
    installed = []

    def refuse(cccd):
        assert cccd.isdigit()  # goes into the SQL text below
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "CREATE FUNCTION test_refuse_member() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    f"BEGIN IF NEW.cccd = '{cccd}' THEN RAISE EXCEPTION 'refused'; END IF; "
                    "RETURN NEW; END $$"
                )
                cursor.execute(
                    f"CREATE TRIGGER test_refuse_member BEFORE INSERT OR UPDATE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION test_refuse_member()"
                )
            else:
                cursor.execute(
                    f"CREATE TRIGGER test_refuse_member BEFORE INSERT ON {table} "
                    f"WHEN NEW.cccd = '{cccd}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
        installed.append(cccd)

    def lift():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER test_refuse_member ON {table}")
                cursor.execute("DROP FUNCTION test_refuse_member()")
            else:
                cursor.execute("DROP TRIGGER test_refuse_member")
        installed.clear()

    refuse.lift = lift
    yield refuse
    if installed:
        lift()


def snapshot():
    """Everything an import may write: members, accounts, role assignments, transfers, audit."""
    from django.contrib.auth import get_user_model
    from wagtail.models import ModelLogEntry

    from sotay_plugins.members.models import MemberTransfer

    def rows(queryset):
        return sorted(tuple(sorted(r.items())) for r in queryset.values())

    return {
        "members": rows(Member.objects.all()),
        "accounts": rows(get_user_model().objects.all()),
        "roles": rows(RoleAssignment.objects.all()),
        "transfers": rows(MemberTransfer.objects.all()),
        "audit": rows(ModelLogEntry.objects.all()),
    }


def half_way_file(tree):
    """Seven rows in chunks of 3 (see ``small_chunks``): an update and a new cell secretary in
    the first chunk, the row the database will refuse in the second."""
    existing = MemberFactory(cell=tree["c11"], birth_date=date(1970, 5, 2), gender="male")
    rows = rows_for(tree, 7)
    rows[0].update(
        cccd=existing.cccd,
        full_name=existing.full_name,
        phone="0987654321",
        positions="Bí thư chi bộ",
        party_record_no=existing.party_record_no,
    )
    rows[1]["positions"] = "Phó Bí thư chi bộ"
    return existing, rows


@pytest.fixture
def small_chunks(monkeypatch):
    from sotay_plugins.members.importing import validation

    monkeypatch.setattr(validation, "CHUNK", 3)


def test_a_job_failing_half_way_leaves_everything_as_before_and_a_rerun_succeeds(
    tree,
    refuse_cccd,
    small_chunks,
    client,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from sotay_plugins.orgtree.roles import FULL_ADMIN

    admin = UserFactory()  # may give the cell-secretary right: the import writes roles too
    grant(admin, FULL_ADMIN, tree["d1"])
    existing, rows = half_way_file(tree)
    batch = importer.start_batch(user=admin, org=tree["d1"], uploaded_file=xlsx(rows))
    assert (batch.created, batch.updated, batch.error_rows) == (6, 1, 0)
    refuse_cccd(rows[4]["cccd"])  # second chunk
    before = snapshot()
    written = []
    real = applying.write_chunk

    def counting(chunk, *args, **kwargs):
        real(chunk, *args, **kwargs)
        written.append(len(chunk))

    monkeypatch.setattr(applying, "write_chunk", counting)
    ImportBatch.objects.filter(pk=batch.pk).update(state="running")
    job = OutboxJob.objects.create(func=importer.JOB_FUNC, kwargs={"batch_id": batch.pk})
    with pytest.raises(Exception, match="refused"):
        jobs.run(job.pk)
    assert written == [3]  # the first chunk was written, then the database refused a row
    assert snapshot() == before  # ... and nothing of it is left
    batch.refresh_from_db()
    assert batch.state == "failed" and batch.file  # the file stays for the retry
    [message] = batch.errors[0]["errors"]
    assert "không dòng nào được ghi, dữ liệu vẫn như trước khi nhập" in message
    client.force_login(admin)
    status = client.get(reverse("members_import:status", args=[batch.pk])).json()
    assert status["state"] == "failed" and status["created"] == 0
    assert "không dòng nào được ghi" in status["message"]
    page = client.get(reverse("members_import:batch", args=[batch.pk])).content.decode()
    assert "không dòng nào được ghi" in page

    refuse_cccd.lift()
    with django_capture_on_commit_callbacks(execute=True):
        jobs.run(job.pk)  # RQ's retry
    batch.refresh_from_db()
    assert (batch.state, batch.created, batch.updated, batch.errors) == ("done", 6, 1, [])
    assert not batch.file
    existing.refresh_from_db()
    assert existing.phone == "0987654321"
    assert Member.objects.count() == 7
    assert RoleAssignment.objects.filter(role__code=CELL_SECRETARY).count() == 2


def test_the_shell_failing_half_way_writes_nothing(tree, tmp_path, refuse_cccd, small_chunks):
    _existing, rows = half_way_file(tree)
    path = _file(tmp_path, rows)
    refuse_cccd(rows[5]["cccd"])
    before = snapshot()
    err = StringIO()
    with pytest.raises(Exception, match="refused"):
        call_command(
            "import_members", path, "--org", tree["d1"].code, stdout=StringIO(), stderr=err
        )
    assert snapshot() == before
    assert "Không nhập được; không có gì được ghi." in err.getvalue()
    batch = ImportBatch.objects.get()
    assert batch.state == "failed" and "không dòng nào được ghi" in batch.errors[0]["errors"][0]
    refuse_cccd.lift()
    out = StringIO()
    call_command("import_members", path, "--org", tree["d1"].code, stdout=out, stderr=StringIO())
    assert "Đã nhập: 7 dòng; thêm mới 6, cập nhật 1, không đổi 0." in out.getvalue()


def test_progress_page_reads_the_progress_kept_outside_the_transaction(client, tree, updater):
    """While the writes run in their transaction, the job row's progress is not visible to other
    connections: the page reads the figure the job keeps in the cache."""
    from sotay_plugins.members.importing.batches import record_progress

    client.force_login(updater)
    client.post(URL, {"org": tree["d1"].pk, "file": xlsx(rows_for(tree, 2))})
    batch = ImportBatch.objects.get()
    job = OutboxJob.objects.create(func=importer.JOB_FUNC, progress=1, total=4, state="running")
    ImportBatch.objects.filter(pk=batch.pk).update(state="running", job=job)
    record_progress(batch, None, 3, 4)  # as from inside the transaction: the job row says 1/4
    status = client.get(reverse("members_import:status", args=[batch.pk])).json()
    assert (status["progress"], status["total"], status["percent"]) == (3, 4, 75)
