"""Exports: rights, bad input, dedupe, the job, the files, a move while running, expiry."""

import io
import zipfile
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader
from wagtail.models import ModelLogEntry

from sotay_plugins import jobs
from sotay_plugins.models import OutboxJob
from sotay_plugins.orgtree import services as tree_services
from sotay_plugins.reports.exports import builders, services
from sotay_plugins.reports.exports.models import Export

TODAY = date.today()
MONTH_START = TODAY.replace(day=1)


def ask(user, org, kind="members", run=True, capture=None, **kwargs):
    kwargs.setdefault("start", MONTH_START)
    kwargs.setdefault("end", TODAY)
    export, created = services.request_export(user, kind=kind, org=org, **kwargs)
    return export, created


def made(user, org, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        export, _created = ask(user, org, **kwargs)
    export.refresh_from_db()
    return export


def sheet_rows(export):
    with export.file.open("rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# --- the member list --------------------------------------------------------------------------


def test_a_member_list_holds_the_unit_period_filters_and_only_its_members(
    world, django_capture_on_commit_callbacks
):
    export = made(world["viewer_d1"], world["d1"], django_capture_on_commit_callbacks)
    assert export.status == Export.Status.DONE and export.progress == 100
    rows = sheet_rows(export)
    top = " ".join(str(c) for row in rows[:8] for c in row if c)
    assert "Huyện 1" in top and "Kỳ báo cáo" in top and "Tình trạng: Đang sinh hoạt" in top
    assert "Không gồm thông tin cá nhân" in top
    names = {row[1] for row in rows if row and isinstance(row[0], int)}
    assert names == {"Trần Thị Bích", "Lê Văn Đức", "Phạm Văn Hùng"}
    header = next(row for row in rows if row and row[0] == "STT")
    assert "Ngày sinh" not in header and "Số CCCD" not in header and len(header) == 15
    assert export.rows == 3 and export.units == 2


def test_personal_columns_for_a_holder_of_the_right_and_the_audit_says_so(
    world, django_capture_on_commit_callbacks
):
    export = made(
        world["updater_d1"], world["d1"], django_capture_on_commit_callbacks, personal=True
    )
    rows = sheet_rows(export)
    header = next(row for row in rows if row and row[0] == "STT")
    assert len(header) == 20 and "Ngày sinh" in header and "Số CCCD" in header
    bich = next(row for row in rows if row and row[1] == "Trần Thị Bích")
    assert bich[header.index("Ngày sinh")].date() == date(1980, 3, 4)
    assert bich[header.index("Chức vụ")] == "Bí thư chi bộ"
    entry = ModelLogEntry.objects.get(action="sotay_reports.export", object_id=str(export.pk))
    assert entry.user_id == world["updater_d1"].pk
    assert entry.data["org"] == world["d1"].pk and entry.data["personal"] is True


def test_a_viewer_without_the_right_to_personal_data_is_refused_in_vietnamese(world):
    with pytest.raises(services.Refused, match="thông tin cá nhân"):
        ask(world["viewer_d1"], world["d1"], personal=True)
    assert not Export.objects.exists() and not OutboxJob.objects.exists()


def test_a_unit_outside_the_callers_scope_is_not_found(world):
    for user, unit in (
        (world["viewer_d1"], world["d2"]),
        (world["viewer_d1"], world["province"]),
        (world["viewer_b1"], world["d1"]),
    ):
        with pytest.raises(services.NotFound):
            ask(user, unit)
    assert not Export.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (TODAY, TODAY - timedelta(days=1), "period_end"),
        (date(2000, 1, 1), date(2019, 12, 31), "period_end"),  # 20 years
        (TODAY + timedelta(days=3), TODAY + timedelta(days=4), "period_start"),
        (None, TODAY, "period_start"),
    ],
)
def test_a_bad_period_changes_nothing(world, start, end, field):
    with pytest.raises(ValidationError) as caught:
        ask(world["viewer_d1"], world["d1"], start=start, end=end)
    assert field in caught.value.message_dict
    assert not Export.objects.exists() and not OutboxJob.objects.exists()


def test_unknown_filters_and_a_format_a_report_has_not_are_refused(world):
    with pytest.raises(ValidationError):
        ask(world["viewer_d1"], world["d1"], filters={"cccd": "1"})
    with pytest.raises(ValidationError):
        ask(world["viewer_d1"], world["d1"], filters={"status": "nope"})
    with pytest.raises(ValidationError):
        ask(world["viewer_d1"], world["d1"], fmt="pdf")
    with pytest.raises(ValidationError):
        ask(world["viewer_d1"], world["d1"], kind="monthly", start=MONTH_START, end=MONTH_START)
    assert not Export.objects.exists()


def test_two_exports_asked_at_once_make_one_job(world):
    first, created = ask(world["viewer_d1"], world["d1"])
    second, again = ask(world["viewer_d1"], world["d1"])
    assert created and not again and first.pk == second.pk
    assert OutboxJob.objects.count() == 1 and Export.objects.count() == 1
    # another person, or another filter, is another export
    other, created_other = ask(world["updater_d1"], world["d1"])
    assert created_other and other.pk != first.pk
    # and the database itself refuses a second active row of the same request (a race)
    with pytest.raises(IntegrityError), transaction.atomic():
        Export.objects.create(
            requested_by=first.requested_by,
            kind=first.kind,
            format=first.format,
            org=first.org,
            period_start=first.period_start,
            period_end=first.period_end,
            dedupe_key=first.dedupe_key,
            expires_at=first.expires_at,
        )


def test_once_done_the_same_request_makes_a_new_file(world, django_capture_on_commit_callbacks):
    first = made(world["viewer_d1"], world["d1"], django_capture_on_commit_callbacks)
    second = made(world["viewer_d1"], world["d1"], django_capture_on_commit_callbacks)
    assert first.pk != second.pk and second.status == Export.Status.DONE


# --- downloads --------------------------------------------------------------------------------


def test_only_the_requester_downloads_and_the_download_is_audited(
    world, django_capture_on_commit_callbacks
):
    export = made(world["viewer_d1"], world["d1"], django_capture_on_commit_callbacks)
    assert services.for_download(world["viewer_d1"], export.pk) == export
    for someone in (world["updater_d1"], world["viewer_province"], world["viewer_d2"]):
        with pytest.raises(services.NotFound):
            services.for_download(someone, export.pk)
    services.record_download(export, world["viewer_d1"])
    assert ModelLogEntry.objects.filter(
        action="sotay_reports.export_download", user=world["viewer_d1"]
    ).exists()


def test_a_requester_who_lost_the_right_cannot_download(world, django_capture_on_commit_callbacks):
    from sotay_plugins.orgtree import scope
    from sotay_plugins.orgtree.models import RoleAssignment

    export = made(world["viewer_d1"], world["d1"], django_capture_on_commit_callbacks)
    RoleAssignment.objects.filter(user=world["viewer_d1"]).delete()
    scope.grants_changed()
    scope.forget(world["viewer_d1"])
    with pytest.raises(services.NotFound):
        services.for_download(world["viewer_d1"], export.pk)


def test_a_file_expires_after_a_day_and_the_purge_removes_it(
    world, django_capture_on_commit_callbacks
):
    export = made(world["viewer_d1"], world["d1"], django_capture_on_commit_callbacks)
    storage, name = export.file.storage, export.file.name
    assert storage.exists(name)
    with time_machine.travel(timezone.now() + timedelta(hours=23), tick=False):
        assert services.for_download(world["viewer_d1"], export.pk)
        assert services.purge_expired() == 0
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1), tick=False):
        with pytest.raises(services.NotFound):
            services.for_download(world["viewer_d1"], export.pk)
        assert services.purge_expired() == 1
    export.refresh_from_db()
    assert export.status == Export.Status.EXPIRED and not export.file and not storage.exists(name)


# --- a move of the unit while the export runs -------------------------------------------------


@override_settings(SOTAY_EXPORT_CELLS_PER_QUERY=1)
def test_a_unit_moved_while_the_export_runs_keeps_the_cells_it_started_with(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """Decided: the export works on the cells under the unit when its job starts (a snapshot,
    with the rights checked then); the download checks the rights again on the tree as it is."""
    read = builders.members_of
    moved = []

    def members_of(user, cell_ids):
        if not moved:  # after the snapshot, before the first chunk is read
            tree_services.move_org(world["c12"], world["b2"])
            tree_services.move_org(world["c21"], world["b1"])
            moved.append(True)
        return read(user, cell_ids)

    monkeypatch.setattr(builders, "members_of", members_of)
    export = made(world["viewer_province"], world["d1"], django_capture_on_commit_callbacks)
    assert moved and export.status == Export.Status.DONE
    names = {row[1] for row in sheet_rows(export) if row and isinstance(row[0], int)}
    assert names == {"Trần Thị Bích", "Lê Văn Đức", "Phạm Văn Hùng"}  # c12 in, c21 not


def test_a_cell_moved_out_of_the_requesters_reach_finishes_but_cannot_be_downloaded(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    read = builders.members_of

    def members_of(user, cell_ids):
        if not members_of.moved:
            tree_services.move_org(world["c11"], world["b2"])
            members_of.moved = True
        return read(user, cell_ids)

    members_of.moved = False
    monkeypatch.setattr(builders, "members_of", members_of)
    export = made(world["viewer_b1"], world["c11"], django_capture_on_commit_callbacks)
    assert export.status == Export.Status.DONE and export.rows == 2
    with pytest.raises(services.NotFound):
        services.for_download(world["viewer_b1"], export.pk)


def test_rights_lost_before_the_job_starts_fail_it_cleanly(world):
    from sotay_plugins.orgtree import scope
    from sotay_plugins.orgtree.models import RoleAssignment

    export, _created = ask(world["viewer_d1"], world["d1"])  # job not run (no commit)
    RoleAssignment.objects.filter(user=world["viewer_d1"]).delete()
    scope.grants_changed()
    services.run_export(export.pk)
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED and "quyền" in export.message
    assert not export.file


def test_a_failing_builder_leaves_a_clean_failure(world, monkeypatch):
    export, _created = ask(world["viewer_d1"], world["d1"])

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(builders, "build", boom)
    services.run_export(export.pk)
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED and "lỗi hệ thống" in export.message
    # and the job is idempotent: running it again leaves the failed export alone
    assert services.run_export(export.pk)["skipped"]


# --- the summary and the monthly pack ---------------------------------------------------------


def test_the_summary_pdf_has_vietnamese_text_a_chart_and_its_table(
    world, django_capture_on_commit_callbacks
):
    export = made(
        world["viewer_province"],
        world["province"],
        django_capture_on_commit_callbacks,
        kind="summary",
        fmt="pdf",
    )
    assert export.status == Export.Status.DONE, export.message
    with export.file.open("rb") as handle:
        data = handle.read()
    text = pdf_text(data)
    assert "THỐNG KÊ THEO ĐƠN VỊ TRỰC THUỘC" in text and "Huyện 1" in text and "Huyện 2" in text
    assert "Đảng viên đang sinh hoạt theo đơn vị trực thuộc" in text  # the chart's caption
    reader = PdfReader(io.BytesIO(data))
    assert abs(float(reader.pages[0].mediabox.width) - 595.27) < 1  # A4
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    embedded = [f for f in fonts if "+" in str(f.get("/BaseFont"))]  # subset TrueType fonts
    assert embedded, [f.get("/BaseFont") for f in fonts]  # Noto (or DejaVu), for Vietnamese
    assert "/FontFile2" in embedded[0]["/FontDescriptor"].get_object()


def test_the_summary_excel_counts_members_per_unit(world, django_capture_on_commit_callbacks):
    export = made(
        world["viewer_province"],
        world["province"],
        django_capture_on_commit_callbacks,
        kind="summary",
    )
    rows = sheet_rows(export)
    by_unit = {row[0]: row[1] for row in rows if row and row[0] in ("Huyện 1", "Huyện 2")}
    assert by_unit == {"Huyện 1": 3, "Huyện 2": 2}


def test_the_monthly_pack_of_a_district_is_a_zip_of_one_pdf_per_cell(
    world, django_capture_on_commit_callbacks
):
    export = made(
        world["viewer_d1"],
        world["d1"],
        django_capture_on_commit_callbacks,
        kind="monthly",
        start=MONTH_START,
        end=(MONTH_START + timedelta(days=32)).replace(day=1) - timedelta(days=1),
    )
    assert export.status == Export.Status.DONE and export.format == "zip", export.message
    with export.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    names = sorted(archive.namelist())
    assert len(names) == 2 and names[0].endswith("chi-bo-1-1.pdf")
    text = pdf_text(archive.read(names[0]))
    assert "Chi bộ 1.1" in text and "Trần Thị Bích" in text and "Sinh hoạt chi bộ" in text
    assert "Phạm Văn Hùng" not in text  # another cell's member
    assert "Ngô Thị Lan" not in pdf_text(archive.read(names[1]))


def test_a_cells_monthly_pack_is_one_pdf(world, django_capture_on_commit_callbacks):
    end = (MONTH_START + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    export = made(
        world["viewer_b1"],
        world["c12"],
        django_capture_on_commit_callbacks,
        kind="monthly",
        start=MONTH_START,
        end=end,
    )
    assert export.format == "pdf" and export.file_name.endswith(".pdf")
    with export.file.open("rb") as handle:
        assert "Phạm Văn Hùng" in pdf_text(handle.read())


def test_a_past_months_pack_says_which_figures_are_missing(
    world, django_capture_on_commit_callbacks
):
    start = date(TODAY.year - 1, 1, 1)
    export = made(
        world["viewer_b1"],
        world["c11"],
        django_capture_on_commit_callbacks,
        kind="monthly",
        start=start,
        end=date(TODAY.year - 1, 1, 31),
    )
    with export.file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "Tháng 01/" in text
    assert "chưa có số liệu theo tháng này" in text or "Chưa có mô-đun" in text


def test_the_job_runs_through_the_outbox(world, django_capture_on_commit_callbacks):
    export = made(world["viewer_d1"], world["d1"], django_capture_on_commit_callbacks)
    job = OutboxJob.objects.get(pk=export.job_id)
    assert job.state == "done" and job.func == services.JOB_FUNC
    assert jobs.run(job.pk) is None  # a second delivery does nothing


# --- cost: no query per cell or per member ----------------------------------------------------


@pytest.mark.parametrize("kind", ["members", "monthly", "summary"])
def test_an_exports_queries_do_not_grow_with_its_cells(world, kind, monkeypatch):
    """The builders' own queries (the modules' statistics providers are theirs to keep bounded:
    left out here; progress writes are at most one per whole percent)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sotay_plugins.reports.exports import figures
    from tests.factories import MemberFactory

    monkeypatch.setattr(figures, "providers", lambda section=None: [])
    end = (MONTH_START + timedelta(days=32)).replace(day=1) - timedelta(days=1)

    def cost(unit):
        export, _created = ask(
            world["viewer_province"],
            unit,
            kind=kind,
            start=MONTH_START,
            end=end if kind == "monthly" else TODAY,
        )
        with CaptureQueriesContext(connection) as queries:
            services.run_export(export.pk)
        export.refresh_from_db()
        assert export.status == Export.Status.DONE, export.message
        return len([q for q in queries if '"progress" =' not in q["sql"]])

    small = cost(world["b1"])  # 2 cells, 3 members
    for _ in range(5):
        MemberFactory(cell=world["c21"])
    assert cost(world["province"]) == small  # 4 cells, 10 members
