"""Demo cell life for ``seed_demo`` (issue 17, "a living demo"): every cell of every scale gets
a past meeting (minutes written and approved, attendance taken, materials picked and opened,
comments on the draft resolution) and an upcoming one (convened, materials picked, a few members
excused in advance, some already reading), so a newcomer sees the meetings module working within
a minute. Reached only through the ``DemoSeeder`` that ``meetings.apps`` registers.

Deterministic: for a given ``--seed`` (and day: dates are relative to today) the same rows. Fast
at province scale (5,000 cells, ~110,000 members): every table is written with ``bulk_create``
(meetings, ~200,000 attendance rows, picks, opens, comments), no per-meeting service call.
"""

import contextlib
import random
import time
from datetime import datetime, timedelta
from datetime import time as clock

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from sotay_plugins.attendance.models import AttendanceMethod, AttendanceStatus
from sotay_plugins.members.models import Member, MemberStatus
from sotay_plugins.orgtree.choices import MemberGroup, OrgKind, Position
from sotay_plugins.orgtree.models import Organisation, RoleAssignment
from sotay_plugins.orgtree.roles import CELL_SECRETARY

from ..models import Attendance, Material, MaterialOpen, Meeting, MeetingComment, MeetingMaterial

BATCH = 5000

PROVINCE_MATERIALS = [
    (
        "Học tập, quán triệt Nghị quyết của Tỉnh ủy về phát triển kinh tế nông nghiệp",
        "Nội dung chính của nghị quyết và nhiệm vụ của chi bộ, đảng viên trong việc thực hiện.",
    ),
    (
        "Chuyên đề học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        "Gợi ý nội dung thảo luận: trách nhiệm nêu gương của đảng viên nơi cư trú.",
    ),
    (
        "Thông tin thời sự, chính sách mới trong tháng",
        "Những chủ trương, chính sách mới của Đảng và Nhà nước đảng viên cần nắm.",
    ),
]
DISTRICT_MATERIAL = (
    "Định hướng sinh hoạt chi bộ tháng {month} của {org}",
    "Những việc trọng tâm chi bộ cần bàn và thống nhất trong kỳ sinh hoạt.",
)
AGENDA = (
    "1. Thông tin thời sự, chính sách mới.\n"
    "2. Đánh giá kết quả thực hiện nhiệm vụ tháng trước.\n"
    "3. Sinh hoạt chuyên đề theo tài liệu của cấp trên.\n"
    "4. Thảo luận, thống nhất nhiệm vụ tháng tới; biểu quyết nghị quyết."
)
DRAFT = (
    "Chi bộ thống nhất: tiếp tục vận động nhân dân giữ gìn vệ sinh môi trường; mỗi đảng viên "
    "phụ trách theo dõi 5–7 hộ gia đình; hoàn thành thu đảng phí trước ngày 10; tham gia đầy "
    "đủ lớp học tập nghị quyết do cấp trên tổ chức."
)
MINUTES = (
    "Buổi sinh hoạt bắt đầu lúc {start}. Đồng chí {chair} chủ trì, đồng chí {recorder} ghi biên "
    "bản. Có mặt {present}/{expected} đảng viên; vắng có lý do {excused}, vắng không lý do "
    "{absent}.\n\nChi bộ nghe thông tin thời sự, đánh giá kết quả tháng trước: các chỉ tiêu cơ "
    "bản đạt; công tác vận động nhân dân còn chậm ở một số hộ. Sinh hoạt chuyên đề theo tài liệu "
    "của cấp trên; {comments} đồng chí phát biểu góp ý.\n\nChi bộ biểu quyết thông qua nghị "
    "quyết với 100% đảng viên có mặt tán thành."
)
RESOLUTION = (
    "1. Tiếp tục vận động nhân dân giữ gìn vệ sinh môi trường, xây dựng nông thôn mới.\n"
    "2. Mỗi đảng viên phụ trách theo dõi 5–7 hộ gia đình, nắm tình hình, báo cáo chi bộ.\n"
    "3. Hoàn thành thu, nộp đảng phí trước ngày 10 hằng tháng.\n"
    "4. Giao đồng chí Bí thư theo dõi, đôn đốc thực hiện nghị quyết."
)
COMMENTS = [
    "Đề nghị bổ sung nội dung vận động con em đi học đúng độ tuổi.",
    "Tôi nhất trí với dự thảo; đề nghị giao rõ đồng chí phụ trách từng xóm.",
    "Nên đưa việc thăm hỏi đảng viên cao tuổi, ốm đau vào nghị quyết tháng này.",
    "Đề nghị chi bộ có ý kiến với xã về sửa tuyến đường liên thôn trước mùa mưa.",
    "Nhất trí. Đề nghị đảng viên trẻ hướng dẫn các đồng chí cao tuổi dùng sổ tay điện tử.",
    "Cần nêu cụ thể thời hạn hoàn thành việc thu quỹ vì người nghèo.",
]
EXCUSES = ["Đi công tác", "Ốm, đã báo chi bộ", "Đi làm ăn xa", "Việc gia đình", "Trực cơ quan"]
PLACES = ["Nhà văn hóa thôn", "Hội trường Đảng ủy", "Phòng họp cơ quan", "Nhà văn hóa khu dân cư"]


@contextlib.contextmanager
def own_times(*fields):
    """Let ``bulk_create`` keep the times the seeder sets (auto_now/auto_now_add off)."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f, _now, _add in saved:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


def _field(model, name):
    return model._meta.get_field(name)


def month_start(day):
    return day.replace(day=1)


def pick(rng, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def seed(*, scale, seed, stdout, today=None):
    """Write the meetings' demo data (see the module docstring); returns the counts."""
    started = time.monotonic()
    rng = random.Random(f"meetings-{seed}")
    today = today or timezone.localdate()
    now = timezone.now()
    cells = list(
        Organisation.objects.filter(kind=OrgKind.CELL, is_active=True).order_by("tree_id", "lft")
    )
    if not cells:
        return {}
    uppers = list(
        Organisation.objects.filter(kind__in=[OrgKind.PROVINCE, OrgKind.DISTRICT]).order_by(
            "level", "tree_id", "lft"
        )
    )
    province = next(o for o in uppers if o.kind == OrgKind.PROVINCE)
    districts = [o for o in uppers if o.kind == OrgKind.DISTRICT]

    def district_of(cell):
        return next(
            (
                d
                for d in districts
                if d.tree_id == cell.tree_id and d.lft < cell.lft and cell.rght < d.rght
            ),
            None,
        )

    by_cell = {}
    members = (
        Member.objects.filter(status=MemberStatus.ACTIVE)
        .exclude(group=MemberGroup.EXEMPT)
        .only("pk", "cell_id", "full_name", "positions")
        .order_by("pk")
    )
    for member in members.iterator(chunk_size=BATCH):
        by_cell.setdefault(member.cell_id, []).append(member)
    secretaries = {}
    for org_id, user_id in (
        RoleAssignment.objects.filter(role__code=CELL_SECRETARY, org__kind=OrgKind.CELL)
        .order_by("pk")
        .values_list("org_id", "user_id")
    ):
        secretaries.setdefault(org_id, user_id)
    office = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()

    # the two meetings' days: the next in 2–12 days, the past one a month before it
    upcoming_day = today + timedelta(days=rng.randint(2, 12))
    past_day = upcoming_day - timedelta(days=28 + rng.randint(0, 3))

    def at(day, hour, minute=0):
        return timezone.make_aware(datetime.combine(day, clock(hour, minute)))

    with transaction.atomic():
        # --- materials: the province's and each district's, for both months -------------------
        materials = []
        for day in (past_day, upcoming_day):
            month = month_start(day)
            label = f"{month:%m/%Y}"
            for title, summary in PROVINCE_MATERIALS[:2] if day == past_day else PROVINCE_MATERIALS:
                materials.append(
                    Material(
                        issuer_org=province,
                        audience_org=province,
                        title=f"{title} (tháng {label})",
                        summary=summary,
                        body=f"{summary}\n\n{AGENDA}",
                        month=month,
                        created_by=office,
                        created_at=at(month - timedelta(days=5), 9),
                    )
                )
            for district in districts:
                materials.append(
                    Material(
                        issuer_org=district,
                        audience_org=district,
                        title=DISTRICT_MATERIAL[0].format(month=label, org=district.short_name),
                        summary=DISTRICT_MATERIAL[1],
                        body=DISTRICT_MATERIAL[1],
                        month=month,
                        created_by=office,
                        created_at=at(month - timedelta(days=3), 9),
                    )
                )
        with own_times(_field(Material, "created_at")):
            Material.objects.bulk_create(materials, batch_size=BATCH)
        per_month = {}
        for material in materials:
            per_month.setdefault((material.month, material.issuer_org_id), []).append(material)

        # --- meetings: one past (approved), one upcoming, per cell --------------------------
        meetings, plans = [], []
        for cell in cells:
            people = by_cell.get(cell.pk, [])
            chair = next((m for m in people if Position.BI_THU_CHI_BO in m.positions), None)
            chair = chair or (people[0] if people else None)
            recorder = next((m for m in people if m is not chair), None)
            place = rng.choice(PLACES)
            hour = rng.choice([8, 14, 19])
            secretary = secretaries.get(cell.pk)
            for when in ("past", "upcoming"):
                day = past_day if when == "past" else upcoming_day
                day += timedelta(days=rng.randint(0, 1))
                starts = at(day, hour, 30 if hour == 19 else 0)
                kind = Meeting.Kind.REGULAR if rng.random() < 0.85 else Meeting.Kind.THEMATIC
                meeting = Meeting(
                    issuer_org=cell,
                    audience_org=cell,
                    kind=kind,
                    title=f"{Meeting.Kind(kind).label} tháng {starts:%m/%Y}",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    place=place,
                    chair=chair,
                    recorder=recorder,
                    agenda=AGENDA,
                    content="Sinh hoạt theo chương trình; chuyên đề theo tài liệu cấp trên.",
                    draft_resolution=DRAFT,
                    state=Meeting.State.SCHEDULED,
                    created_by_id=secretary,
                    created_at=starts - timedelta(days=10),
                    updated_at=starts - timedelta(days=10),
                )
                meetings.append(meeting)
                plans.append((when, cell, people, secretary, meeting))
        with own_times(_field(Meeting, "created_at"), _field(Meeting, "updated_at")):
            Meeting.objects.bulk_create(meetings, batch_size=BATCH)

        attendance, picks, opens, comments = [], [], [], []
        opened = set()
        for when, cell, people, secretary, meeting in plans:
            past = when == "past"
            month = month_start(past_day if past else upcoming_day)
            district = district_of(cell)
            chosen = list(per_month.get((month, province.pk), []))
            if district:
                chosen += per_month.get((month, district.pk), [])
            chosen = chosen[: rng.randint(2, 3)] if past else chosen[:2]
            picked_at = meeting.starts_at - timedelta(days=rng.randint(3, 7))
            for material in chosen:
                picks.append(
                    MeetingMaterial(
                        meeting=meeting,
                        material=material,
                        picked_by_id=secretary,
                        picked_at=picked_at,
                    )
                )
            counts = dict.fromkeys(AttendanceStatus.values, 0)
            for member in people:
                if past:
                    status = pick(
                        rng,
                        [
                            (AttendanceStatus.PRESENT, 78),
                            (AttendanceStatus.LATE, 7),
                            (AttendanceStatus.EXCUSED, 10),
                            (AttendanceStatus.ABSENT, 5),
                        ],
                    )
                else:
                    status = (
                        AttendanceStatus.EXCUSED
                        if rng.random() < 0.06
                        else AttendanceStatus.EXPECTED
                    )
                counts[status] += 1
                row = Attendance(meeting=meeting, member=member, status=status)
                if status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE):
                    row.method = pick(
                        rng,
                        [
                            (AttendanceMethod.APP, 50),
                            (AttendanceMethod.CARD, 30),
                            (AttendanceMethod.CCCD, 10),
                            (AttendanceMethod.MANUAL, 10),
                        ],
                    )
                    late = status == AttendanceStatus.LATE
                    minutes = rng.randint(5, 30) if late else -rng.randint(0, 15)
                    row.checked_in_at = meeting.starts_at + timedelta(minutes=minutes)
                    if row.method == AttendanceMethod.MANUAL:
                        row.recorded_by_id = secretary
                elif status == AttendanceStatus.EXCUSED:
                    row.reason = rng.choice(EXCUSES)
                    row.method = AttendanceMethod.MANUAL
                    row.recorded_by_id = secretary
                elif status == AttendanceStatus.ABSENT:
                    row.method = AttendanceMethod.MANUAL
                    row.recorded_by_id = secretary
                row.updated_at = row.checked_in_at or meeting.starts_at
                attendance.append(row)
                # members read the picked materials before the meeting (more for the past one)
                for material in chosen:
                    if rng.random() < (0.7 if past else 0.3):
                        last = meeting.starts_at if past else now
                        first = last - timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 9))
                        first = min(first, now)
                        key = (material.pk, member.pk, timezone.localdate(first))
                        if key in opened:
                            continue
                        opened.add(key)
                        opens.append(
                            MaterialOpen(
                                material=material,
                                member=member,
                                day=key[2],
                                first_at=first,
                                last_at=first,
                                count=rng.randint(1, 3),
                            )
                        )
            speakers = rng.sample(
                people, min(len(people), rng.randint(1, 3) if past else rng.randint(0, 2))
            )
            for n, member in enumerate(speakers):
                comments.append(
                    MeetingComment(
                        meeting=meeting,
                        member=member,
                        text=rng.choice(COMMENTS),
                        created_at=min(now, meeting.starts_at - timedelta(days=2, hours=-n)),
                    )
                )
            if past and people:
                chair = meeting.chair.full_name if meeting.chair else "—"
                recorder = meeting.recorder.full_name if meeting.recorder else "—"
                meeting.minutes = MINUTES.format(
                    start=f"{timezone.localtime(meeting.starts_at):%H:%M}",
                    chair=chair,
                    recorder=recorder,
                    present=counts[AttendanceStatus.PRESENT] + counts[AttendanceStatus.LATE],
                    expected=len(people),
                    excused=counts[AttendanceStatus.EXCUSED],
                    absent=counts[AttendanceStatus.ABSENT],
                    comments=len(speakers),
                )
                meeting.resolution = RESOLUTION
                meeting.state = Meeting.State.CLOSED
                meeting.minutes_approved_at = meeting.ends_at + timedelta(days=1)
                meeting.minutes_approved_by_id = secretary or (office.pk if office else None)
                meeting.updated_at = meeting.minutes_approved_at
        with own_times(_field(Meeting, "updated_at")):
            Meeting.objects.bulk_update(
                [m for w, *_rest, m in plans if w == "past"],
                [
                    "minutes",
                    "resolution",
                    "state",
                    "minutes_approved_at",
                    "minutes_approved_by",
                    "updated_at",
                ],
                batch_size=1000,
            )
        with own_times(_field(MeetingMaterial, "picked_at")):
            MeetingMaterial.objects.bulk_create(picks, batch_size=BATCH)
        with own_times(_field(Attendance, "updated_at")):
            Attendance.objects.bulk_create(attendance, batch_size=BATCH)
        MaterialOpen.objects.bulk_create(opens, batch_size=BATCH)
        with own_times(_field(MeetingComment, "created_at")):
            MeetingComment.objects.bulk_create(comments, batch_size=BATCH)
    elapsed = time.monotonic() - started
    counts = {
        "meetings": len(meetings),
        "materials": len(materials),
        "attendance": len(attendance),
        "picks": len(picks),
        "opens": len(opens),
        "comments": len(comments),
    }
    stdout.write(
        f"Đã tạo {len(meetings)} buổi sinh hoạt ({len(cells)} chi bộ: một đã họp, duyệt biên "
        f"bản; một sắp họp), {len(materials)} tài liệu, {len(attendance)} lượt điểm danh, "
        f"{len(opens)} lượt đọc tài liệu, {len(comments)} góp ý trong {elapsed:.1f} giây."
    )
    return counts
