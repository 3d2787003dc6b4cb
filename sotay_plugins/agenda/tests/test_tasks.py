"""Tasks: assigned only within the assigner's subtree; progress only by an assignee (the member,
or the assigned unit's secretary); files checked (too large, wrong kind); who is late; the
reminder before the deadline through notices, once; the admin listing and the API, scoped."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from sotay_plugins.agenda import services
from sotay_plugins.agenda.models import TASK_DUE_KIND, Assignment, Progress, Task
from sotay_plugins.notices.models import Notice

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def pdf(name="bao-cao.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def task(people, tree, noon, when):
    return services.assign(
        people["secretary"].user,
        issuer_org=tree["c11"],
        title="Rà soát hồ sơ đảng viên",
        due_at=when(3, 17),
        members=[people["a"], people["secretary"]],
    )


# --- assigning ---------------------------------------------------------------------------------


def test_a_secretary_assigns_members_of_the_cell_and_they_are_told(
    people, tree, noon, when, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task = services.assign(
            people["secretary"].user,
            issuer_org=tree["c11"],
            title="Thu đảng phí quý I",
            due_at=when(5, 17),
            members=[people["a"], people["b"]],
        )
    assert sorted(task.assignments.values_list("member_id", flat=True)) == sorted(
        [people["a"].pk, people["b"].pk]
    )
    told = set(
        Notice.objects.filter(kind="agenda.task_assigned").values_list("member_id", flat=True)
    )
    assert told == {people["a"].pk, people["b"].pk}


@pytest.mark.parametrize(
    ("who", "target"),
    [
        ("secretary", {"members": ["neighbour"]}),  # a member of the next cell
        ("secretary", {"members": ["far"]}),
        ("secretary", {"units": ["c12"]}),  # the next cell as a unit
        ("secretary", {"units": ["b1"]}),  # the unit above
        ("district", {"units": ["c21"]}),  # another district's cell
        ("district", {"members": ["far"]}),
    ],
)
def test_a_task_outside_the_assigners_subtree_is_refused(people, tree, noon, when, who, target):
    user = people[who].user if who == "secretary" else people[who]
    issuer = tree["c11"] if who == "secretary" else tree["d1"]
    members = [people[name] for name in target.get("members", [])] + [people["a"]]
    units = [tree[name] for name in target.get("units", [])]
    with pytest.raises(ValidationError) as refused:
        services.assign(
            user,
            issuer_org=issuer,
            title="Việc ngoài phạm vi",
            due_at=when(2),
            members=members,
            units=units,
        )
    message = " ".join(m for msgs in refused.value.message_dict.values() for m in msgs)
    assert "phạm vi" in message
    assert not Task.objects.exists() and not Assignment.objects.exists()


def test_assigning_for_a_unit_one_does_not_manage_is_refused(people, tree, noon, when):
    for user, unit in (
        (people["secretary"].user, tree["c12"]),
        (people["a"].user, tree["c11"]),  # a plain member
        (people["district"], tree["d2"]),
    ):
        with pytest.raises(ValidationError) as refused:
            services.assign(
                user, issuer_org=unit, title="Việc", due_at=when(2), members=[people["a"]]
            )
        assert "issuer_org" in refused.value.message_dict
    assert not Task.objects.exists()


def test_a_deadline_in_the_past_or_no_assignee_is_refused(people, tree, noon, when):
    secretary = people["secretary"].user
    with pytest.raises(ValidationError) as refused:
        services.assign(
            secretary, issuer_org=tree["c11"], title="Việc", due_at=when(-1), members=[people["a"]]
        )
    assert "due_at" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.assign(secretary, issuer_org=tree["c11"], title="Việc", due_at=when(1))
    assert "members" in refused.value.message_dict
    assert not Task.objects.exists()


def test_a_district_assigns_its_cells_and_their_secretaries_report(
    people, tree, noon, when, client
):
    task = services.assign(
        people["district"],
        issuer_org=tree["d1"],
        title="Báo cáo kết quả học tập nghị quyết",
        due_at=when(10),
        units=[tree["c11"], tree["c12"]],
    )
    unit_c11 = task.assignments.get(org=tree["c11"])
    services.report_progress(people["secretary"].user, unit_c11, percent=40, note="Đã học 2/3")
    # a member of the cell is not its reporter, nor is the next cell's secretary
    for user in (people["a"].user, people["neighbour_secretary"].user):
        with pytest.raises(PermissionDenied):
            services.report_progress(user, unit_c11, percent=100)
    unit_c11.refresh_from_db()
    assert unit_c11.percent == 40
    # the district's own rights over the cells do not make it an assignee
    assert not services.may_report(people["district"], unit_c11)
    assert list(services.my_assignments(people["district"])) == []


# --- progress ------------------------------------------------------------------------------


def test_the_assignee_reports_progress_with_a_file(people, task, client):
    client.force_login(people["a"].user)
    response = client.post(
        reverse("agenda:task", args=[task.pk]),
        {"percent": "60", "note": "Đã rà soát 6/10 hồ sơ", "file": pdf()},
    )
    assert response.status_code == 302
    report = Progress.objects.get()
    assert (report.percent, report.file_name, report.content_type) == (
        60,
        "bao-cao.pdf",
        "application/pdf",
    )
    assert "bao-cao" not in report.file.name  # stored under a random name
    mine = task.assignments.get(member=people["a"])
    assert mine.percent == 60 and mine.done_at is None
    # the file: for its reporter and the assigner, no one else
    url = reverse("agenda:progress_file", args=[report.pk])
    assert client.get(url).status_code == 200
    client.force_login(people["secretary"].user)
    assert client.get(url).status_code == 200
    for other in ("b", "neighbour"):
        client.force_login(people[other].user)
        assert client.get(url).status_code == 404
    report.file.delete(save=False)


def test_someone_not_assigned_cannot_report(people, task, client):
    before = Assignment.objects.values_list("pk", "percent").order_by("pk")
    before = list(before)
    # b is in the same cell but not assigned: the task is out of their sight
    client.force_login(people["b"].user)
    assert client.get(reverse("agenda:task", args=[task.pk])).status_code == 404
    assert (
        client.post(reverse("agenda:task", args=[task.pk]), {"percent": "100"}).status_code == 404
    )
    assert (
        api_for(people["b"].user)
        .post(f"/api/v1/agenda/tasks/{task.pk}/progress/", {"percent": 100})
        .status_code
        == 404
    )
    # the district follows the task (it may see it) but is not an assignee: 403
    district = people["district"]
    client.force_login(district)
    assert client.get(reverse("agenda:task", args=[task.pk])).status_code == 200
    assert (
        client.post(reverse("agenda:task", args=[task.pk]), {"percent": "100"}).status_code == 403
    )
    response = api_for(district).post(f"/api/v1/agenda/tasks/{task.pk}/progress/", {"percent": 100})
    assert response.status_code == 403
    assert response.json()["detail"]
    # naming another's assignment does not help
    theirs = task.assignments.get(member=people["secretary"])
    response = api_for(people["a"].user).post(
        f"/api/v1/agenda/tasks/{task.pk}/progress/", {"percent": 100, "assignment": theirs.pk}
    )
    assert response.status_code == 403
    assert list(Assignment.objects.values_list("pk", "percent").order_by("pk")) == before
    assert not Progress.objects.exists()


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (lambda: pdf("x.pdf", PDF + b"0" * 2048), "quá lớn"),
        (lambda: SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 10), "Chỉ nhận tệp"),
        (lambda: SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00 not a pdf"), "không phải"),
        (lambda: SimpleUploadedFile("anh.png", PDF), "không khớp"),
    ],
    ids=["too-large", "wrong-kind", "fake-pdf", "pdf-named-png"],
)
def test_a_bad_file_is_refused_and_nothing_is_written(
    people, task, client, settings, upload, words
):
    settings.SOTAY_AGENDA_MAX_FILE = 1024
    client.force_login(people["a"].user)
    response = client.post(
        reverse("agenda:task", args=[task.pk]), {"percent": "50", "file": upload()}
    )
    assert response.status_code == 400
    assert words in response.content.decode()
    response = api_for(people["a"].user).post(
        f"/api/v1/agenda/tasks/{task.pk}/progress/",
        {"percent": 50, "file": upload()},
        format="multipart",
    )
    assert response.status_code == 400
    assert "file" in response.json()["fields"]
    assert words in response.json()["detail"]
    assert not Progress.objects.exists()
    assert task.assignments.get(member=people["a"]).percent == 0


@pytest.mark.parametrize("percent", ["-1", "101", "nhiều", ""])
def test_a_bad_percent_is_refused(people, task, client, percent):
    client.force_login(people["a"].user)
    response = client.post(reverse("agenda:task", args=[task.pk]), {"percent": percent})
    assert response.status_code == 400
    assert not Progress.objects.exists()


# --- who is late, reminders --------------------------------------------------------------------


def test_the_assigner_sees_who_is_late(people, task, client, noon):
    mine = task.assignments.get(member=people["a"])
    services.report_progress(people["a"].user, mine, percent=100)
    noon.shift(timedelta(days=4))
    rows = {row["who"]: row["late"] for row in services.task_rows(task)}
    assert rows == {people["a"].full_name: False, people["secretary"].full_name: True}
    client.force_login(people["secretary"].user)
    text = client.get(reverse("agenda:task", args=[task.pk])).content.decode()
    assert "Quá hạn" in text
    listing = client.get(reverse("agenda:tasks")).content.decode()
    assert "Xong 1/2" in listing and "1 quá hạn" in listing
    detail = api_for(people["district"]).get(f"/api/v1/agenda/tasks/{task.pk}/").json()
    assert {row["who"]: row["late"] for row in detail["assignees"]} == rows
    assert detail["issuer_org"] == detail["audience_org"] == task.issuer_org_id
    # an assignee sees their own part, not the list of who is late
    own = api_for(people["a"].user).get(f"/api/v1/agenda/tasks/{task.pk}/").json()
    assert own["assignees"] is None and [row["percent"] for row in own["mine"]] == [100]


def test_a_reminder_goes_once_before_the_deadline(
    people, task, noon, django_capture_on_commit_callbacks
):
    assert services.remind_due() == 0  # three days ahead: too early
    noon.shift(timedelta(days=2, hours=10))  # 22:00 the day before: within 24 hours
    services.report_progress(
        people["secretary"].user, task.assignments.get(member=people["secretary"]), percent=100
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_due() == 1
        assert services.remind_due() == 0
    told = list(Notice.objects.filter(kind=TASK_DUE_KIND).values_list("member_id", flat=True))
    assert told == [people["a"].pk]  # the one who had not finished, once


def test_a_moved_deadline_is_reminded_again(people, task, noon, django_capture_on_commit_callbacks):
    noon.shift(timedelta(days=2, hours=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_due() == 2
        Task.objects.filter(pk=task.pk).update(due_at=task.due_at + timedelta(hours=2))
        assert services.remind_due() == 2
    assert Notice.objects.filter(kind=TASK_DUE_KIND).count() == 4


# --- lists, calendar, admin, API ---------------------------------------------------------------


def test_task_deadlines_are_in_the_assignees_calendar_only(people, task, noon):
    start = task.due_at.date() - timedelta(days=1)
    end = start + timedelta(days=3)

    def seen(user):
        return [e.title for e in services.events(user, start, end) if e.kind == "agenda.tasks"]

    assert seen(people["a"].user) == ["Hạn nhiệm vụ: Rà soát hồ sơ đảng viên (0%)"]
    assert seen(people["b"].user) == []
    assert seen(people["neighbour"].user) == []


def test_task_list_pages(people, task, client, django_assert_max_num_queries):
    client.force_login(people["a"].user)
    client.get(reverse("agenda:tasks"))
    with django_assert_max_num_queries(8):
        text = client.get(reverse("agenda:tasks")).content.decode()
    assert "Rà soát hồ sơ đảng viên" in text
    client.force_login(people["b"].user)
    assert "Rà soát hồ sơ đảng viên" not in client.get(reverse("agenda:tasks")).content.decode()


def test_tasks_api_is_scoped(people, task, tree, noon, when):
    other = services.assign(
        people["neighbour_secretary"].user,
        issuer_org=tree["c12"],
        title="Việc của chi bộ bên cạnh",
        due_at=when(4),
        members=[people["neighbour"]],
    )

    def ids(user, **params):
        return {
            row["id"]
            for row in api_for(user).get("/api/v1/agenda/tasks/", params).json()["results"]
        }

    assert ids(people["a"].user) == {task.pk}
    assert ids(people["b"].user) == set()
    assert ids(people["district"]) == {task.pk, other.pk}
    assert ids(people["secretary"].user) == {task.pk}
    assert ids(people["secretary"].user, mine="1") == {task.pk}
    assert api_for(people["a"].user).get(f"/api/v1/agenda/tasks/{other.pk}/").status_code == 404
    assert api_for(people["far"].user).get(f"/api/v1/agenda/tasks/{task.pk}/").status_code == 404


def test_admin_lists_tasks_in_scope_with_late_counts(people, task, tree, client, noon, when):
    other = services.assign(
        people["neighbour_secretary"].user,
        issuer_org=tree["c12"],
        title="Việc của chi bộ bên cạnh",
        due_at=when(1),
        members=[people["neighbour"]],
    )
    noon.shift(timedelta(days=2))
    client.force_login(people["secretary"].user)
    text = client.get("/quan-tri/nhiem-vu/").content.decode()
    assert "Rà soát hồ sơ đảng viên" in text and "Việc của chi bộ bên cạnh" not in text
    assert client.get(f"/quan-tri/nhiem-vu/inspect/{other.pk}/").status_code == 404
    client.force_login(people["district"])
    response = client.get("/quan-tri/nhiem-vu/")
    text = response.content.decode()
    assert "Rà soát hồ sơ đảng viên" in text and "Việc của chi bộ bên cạnh" in text
    row = next(t for t in response.context["object_list"] if t.pk == other.pk)
    assert (row.n_assigned, row.n_late) == (1, 1)
    inspect = client.get(f"/quan-tri/nhiem-vu/inspect/{other.pk}/").content.decode()
    assert "Quá hạn" in inspect


def test_admin_assigns_and_refuses_outside_the_subtree(people, tree, client, noon):
    client.force_login(people["secretary"].user)
    assert client.get("/quan-tri/nhiem-vu/new/").status_code == 200
    data = {
        "issuer_org": tree["c11"].pk,
        "title": "Chuẩn bị sinh hoạt chuyên đề",
        "description": "",
        "due_at": "2027-03-20 17:00",
        "members": [people["a"].pk],
    }
    refused = client.post("/quan-tri/nhiem-vu/new/", {**data, "members": [people["neighbour"].pk]})
    assert refused.status_code == 200 and not Task.objects.exists()
    response = client.post("/quan-tri/nhiem-vu/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Task.objects.get().assignments.values_list("member_id", flat=True)) == [
        people["a"].pk
    ]


def test_the_demo_seeds_tasks_and_entries(people, tree, noon):
    from sotay_plugins.agenda.demo import seed_demo
    from sotay_plugins.agenda.models import Entry

    first = seed_demo(scale="tiny", seed=1)
    assert first["tasks"] > 0 and first["entries"] > 0
    assert Assignment.objects.filter(percent__gt=0, percent__lt=100).exists()
    assert Progress.objects.exists() and Entry.objects.exists()
    assert seed_demo(scale="tiny", seed=1) == {"tasks": 0, "entries": 0}


def test_api_assigns_within_the_subtree_only(people, tree, noon):
    api = api_for(people["secretary"].user)
    body = {
        "issuer_org": tree["c11"].pk,
        "title": "Chuẩn bị sinh hoạt chuyên đề",
        "due_at": "2027-03-20T17:00:00+07:00",
        "members": [people["a"].pk],
    }
    refused = api.post(
        "/api/v1/agenda/tasks/", {**body, "members": [people["far"].pk]}, format="json"
    )
    assert refused.status_code == 400
    assert "phạm vi" in refused.json()["detail"] and "members" in refused.json()["fields"]
    for junk in (
        {**body, "issuer_org": tree["c12"].pk},
        {**body, "issuer_org": 2**70},
        {**body, "members": ["x"]},
        {**body, "due_at": "hôm qua"},
        {**body, "title": ""},
    ):
        assert api.post("/api/v1/agenda/tasks/", junk, format="json").status_code == 400
    assert not Task.objects.exists()
    made = api.post("/api/v1/agenda/tasks/", body, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["issuer_org"] == tree["c11"].pk
    assert (
        api_for(people["a"].user)
        .post("/api/v1/agenda/tasks/", {**body, "members": [people["b"].pk]}, format="json")
        .status_code
        == 400
    )  # a plain member assigns nothing
    assert Task.objects.count() == 1


def test_a_secretary_assigns_from_the_phone(people, tree, client, noon):
    url = reverse("agenda:task_new")
    client.force_login(people["a"].user)
    assert client.get(url).status_code == 404  # a plain member assigns nothing
    assert "Giao nhiệm vụ" not in client.get(reverse("agenda:tasks")).content.decode()
    client.force_login(people["secretary"].user)
    page = client.get(url).content.decode()
    assert people["a"].full_name in page and people["neighbour"].full_name not in page
    data = {
        "issuer_org": tree["c11"].pk,
        "title": "Chuẩn bị sinh hoạt chuyên đề",
        "due_at": "2027-03-20T17:00",
        "members": [people["a"].pk, people["b"].pk],
    }
    for bad in (
        {**data, "members": [people["neighbour"].pk]},  # the next cell's member
        {**data, "issuer_org": tree["c12"].pk},  # the next cell
        {**data, "due_at": "2027-03-01T08:00"},  # past
        {**data, "members": []},  # nobody
    ):
        response = client.post(url, bad)
        assert response.status_code == 400
        assert "Chưa giao được" in response.content.decode()
    assert not Task.objects.exists()
    response = client.post(url, data)
    assert response.status_code == 302
    task = Task.objects.get()
    assert set(task.assignments.values_list("member_id", flat=True)) == {
        people["a"].pk,
        people["b"].pk,
    }
