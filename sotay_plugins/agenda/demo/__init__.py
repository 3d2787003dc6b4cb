"""The demo's calendar entries and tasks (``seed_demo``): in a sample of cells, the cell
secretary has assigned two tasks to members of the cell (one due in a few days, in progress
with reports; one whose deadline passed, with someone late), and a few members keep their own
entries. Each base organisation's committee has assigned a task to its cells. Deterministic
from the seed; idempotent (a cell that has its demo tasks is left alone)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.db.models.functions import Mod
from django.utils import timezone

from sotay_plugins.members.models import Member
from sotay_plugins.orgtree.choices import OrgKind
from sotay_plugins.orgtree.models import Organisation, RoleAssignment

from ..models import Assignment, Entry, Progress, Task

SAMPLE_EVERY = {"tiny": 1, "small": 1, "province": 25}
CELL_TASKS = [
    (
        "Rà soát, cập nhật thông tin đảng viên trên Sổ tay",
        "Mỗi đồng chí kiểm tra hồ sơ của mình, báo lại chi bộ những điểm cần sửa.",
        5,
    ),
    (
        "Thu đảng phí quý và nộp sổ về đảng ủy",
        "Hoàn thành thu đảng phí của các đảng viên được giao, ghi sổ, nộp về đảng ủy.",
        -3,
    ),
]
BASE_TASK = (
    "Báo cáo kết quả học tập, quán triệt Nghị quyết",
    "Các chi bộ báo cáo số đảng viên đã học tập và bài thu hoạch trước hạn.",
    10,
)
ENTRIES = [
    ("Thăm hỏi gia đình chính sách trong thôn", "Nhà văn hóa thôn", 2, 8),
    ("Họp tổ dân phố", "Nhà văn hóa", 6, 19),
    ("Trực tiếp công dân cùng đảng ủy", "Trụ sở đảng ủy", 12, 14),
]
NOTES = [
    "Đã liên hệ được phần lớn, còn vài đồng chí đi làm xa.",
    "Đã xong một nửa, dự kiến hoàn thành đúng hạn.",
    "Đã hoàn thành, kèm danh sách.",
]


def _at(now, days, hour):
    moment = timezone.localtime(now) + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def _secretaries(cells):
    return dict(
        RoleAssignment.objects.filter(role__code="cell_secretary", org__in=cells).values_list(
            "org_id", "user_id"
        )
    )


def seed_demo(*, scale, seed, stdout=None):
    rng = random.Random(f"agenda:{seed}")
    now = timezone.now()
    every = SAMPLE_EVERY.get(scale, 1)
    cells = list(
        Organisation.objects.filter(kind=OrgKind.CELL, is_active=True)
        .annotate(slot=Mod("id", every))
        .filter(slot=0)
        .order_by("pk")
    )
    secretaries = _secretaries(cells)
    done_cells = set(
        Task.objects.filter(issuer_org__in=cells, title=CELL_TASKS[0][0]).values_list(
            "issuer_org_id", flat=True
        )
    )
    members_by_cell = {}
    for pk, cell_id, user_id in (
        Member.objects.filter(cell__in=cells, status="active")
        .order_by("cell_id", "pk")
        .values_list("pk", "cell_id", "user_id")
    ):
        members_by_cell.setdefault(cell_id, []).append((pk, user_id))
    tasks = entries = 0
    with transaction.atomic():
        for cell in cells:
            members = members_by_cell.get(cell.pk, [])
            if cell.pk in done_cells or not members:
                continue
            assigner = secretaries.get(cell.pk)
            for title, text, days in CELL_TASKS:
                task = Task.objects.create(
                    issuer_org=cell,
                    title=title,
                    description=text,
                    due_at=_at(now, days, 17),
                    created_by_id=assigner,
                    created_at=now - timedelta(days=7),
                )
                tasks += 1
                chosen = members[: min(len(members), 4)]
                for number, (member_id, user_id) in enumerate(chosen):
                    percent = (
                        [30, 60, 100, 0][number % 4] if days > 0 else [100, 50, 0, 100][number % 4]
                    )
                    reported = now - timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 8))
                    done_at = reported if percent == 100 else None
                    assignment = Assignment.objects.create(
                        task=task,
                        member_id=member_id,
                        org=cell,
                        percent=percent,
                        done_at=done_at,
                        last_report_at=reported if percent else None,
                    )
                    if percent:
                        Progress.objects.create(
                            assignment=assignment,
                            by_user_id=user_id,
                            percent=percent,
                            note=NOTES[min(2, percent // 40)],
                            created_at=reported,
                        )
            for number, (member_id, _user) in enumerate(members[:3]):
                title, place, days, hour = ENTRIES[number % len(ENTRIES)]
                start = _at(now, days + number, hour)
                Entry.objects.create(
                    member_id=member_id,
                    title=title,
                    place=place,
                    starts_at=start,
                    ends_at=start + timedelta(hours=2),
                )
                entries += 1
        bases = Organisation.objects.filter(
            kind=OrgKind.BASE, is_active=True, children__in=cells
        ).distinct()
        for base in bases.order_by("pk"):
            if Task.objects.filter(issuer_org=base, title=BASE_TASK[0]).exists():
                continue
            task = Task.objects.create(
                issuer_org=base,
                title=BASE_TASK[0],
                description=BASE_TASK[1],
                due_at=_at(now, BASE_TASK[2], 17),
                created_at=now - timedelta(days=2),
            )
            tasks += 1
            units = [c for c in cells if c.parent_id == base.pk]
            Assignment.objects.bulk_create(
                [
                    Assignment(
                        task=task,
                        org=c,
                        percent=[0, 40][i % 2],
                        last_report_at=now - timedelta(days=1) if i % 2 else None,
                    )
                    for i, c in enumerate(units)
                ]
            )
    if stdout is not None:
        stdout.write(f"Lịch và nhiệm vụ: {tasks} nhiệm vụ, {entries} lịch riêng.")
    return {"tasks": tasks, "entries": entries}
