"""Demo data of the resolutions and plans part, for ``seed_demo`` (``DemoSeeder`` "study.plans").

At every scale, after the province is built:

- two real resolutions to study, published by the province for the whole province, each with its
  outlines for party members and for union/association members: the Politburo's Resolution
  52-NQ/TW of 27/9/2019 on the Fourth Industrial Revolution and the provincial Resolution
  02-NQ/TU of 19/11/2021 on digital transformation (both named in the Thái Bình article of the
  seeds). The texts are short presentations of the resolutions written for the demo, marked as
  such, not their official full text;
- the province's study plan for each: 52-NQ/TW still open (deadline in three weeks), 02-NQ/TU
  past its deadline, so that the "units without an implementation plan" report shows late units;
- one session per district-level unit for 52-NQ/TW: the past ones held (about 70 % checked in,
  by card, app or hand), the next ones scheduled;
- implementation plans from about two thirds of the units that must make one (some late);
- readings: about 60 % of members opened 52-NQ/TW, 45 % read it to the end, 20 % also passed
  its quiz (demo flag: the quizzes part records real passes).

``--scale province`` (110,000 members) gives ~110,000 session roll rows and ~115,000 study rows,
enough for the benchmarks (``bench/bench_study.py``). Rows go in with ``bulk_create``.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from sotay_plugins.members.models import Member
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import MemberGroup, OrgKind
from sotay_plugins.orgtree.models import Organisation

from ..plans.models import ImplementationPlan, SessionAttendance, StudyPlan, StudySession
from ..plans.services import planning_units
from .models import ResolutionOutline, ResolutionPage, ResolutionStudy
from .services import study_index

DEMO_NOTE = (
    "<p><em>Nội dung trình bày tóm lược để trình diễn phần mềm, không phải toàn văn chính thức "
    "của nghị quyết.</em></p>"
)

RESOLUTIONS = [
    {
        "number": "52-NQ/TW",
        "title": (
            "Nghị quyết về một số chủ trương, chính sách chủ động tham gia cuộc Cách mạng công "
            "nghiệp lần thứ tư"
        ),
        "issued_on": date(2019, 9, 27),
        "issued_by": "Bộ Chính trị",
        "summary": (
            "Nghị quyết số 52-NQ/TW ngày 27/9/2019 của Bộ Chính trị về một số chủ trương, chính "
            "sách chủ động tham gia cuộc Cách mạng công nghiệp lần thứ tư."
        ),
        "body": [
            ("heading", "I. Tình hình và nguyên nhân"),
            (
                "paragraph",
                "<p>Cuộc Cách mạng công nghiệp lần thứ tư đang diễn ra mạnh mẽ, tác động sâu rộng "
                "đến mọi mặt đời sống kinh tế - xã hội. Việc chủ động tham gia là yêu cầu tất "
                "yếu, vừa là cơ hội để đổi mới mô hình tăng trưởng, vừa đặt ra nhiều thách thức "
                "về thể chế, nguồn nhân lực và hạ tầng.</p>",
            ),
            ("heading", "II. Quan điểm chỉ đạo và mục tiêu"),
            (
                "paragraph",
                "<p>Chủ động tham gia cuộc Cách mạng công nghiệp lần thứ tư là yêu cầu tất yếu "
                "khách quan; là nhiệm vụ có ý nghĩa chiến lược đặc biệt quan trọng, vừa cấp "
                "bách vừa lâu dài của cả hệ thống chính trị và toàn xã hội, gắn chặt với quá "
                "trình hội nhập quốc tế sâu rộng.</p><ul><li>Phát triển kinh tế số, xây dựng "
                "chính quyền số, xã hội số.</li><li>Phổ cập dịch vụ Internet băng thông rộng."
                "</li><li>Phát triển nguồn nhân lực chất lượng cao.</li></ul>",
            ),
            ("heading", "III. Nhiệm vụ và giải pháp"),
            (
                "paragraph",
                "<p>Đổi mới tư duy về quản lý kinh tế, xã hội; hoàn thiện thể chế thuận lợi cho "
                "chuyển đổi số; phát triển hạ tầng thiết yếu; phát triển và nâng cao năng lực "
                "đổi mới sáng tạo quốc gia; phát triển nguồn nhân lực; tăng cường hợp tác quốc "
                "tế.</p>",
            ),
        ],
        "outlines": {
            "dang_vien": (
                "Đề cương học tập dành cho đảng viên",
                "<h3>1. Vì sao phải chủ động tham gia?</h3><p>Cơ hội và thách thức của cuộc "
                "Cách mạng công nghiệp lần thứ tư.</p><h3>2. Trách nhiệm của đảng viên</h3>"
                "<ul><li>Gương mẫu ứng dụng công nghệ trong công tác, sinh hoạt chi bộ (Sổ "
                "tay đảng viên điện tử).</li><li>Tuyên truyền, vận động gia đình và nhân dân "
                "tham gia chuyển đổi số.</li></ul>",
            ),
            "doan_vien_hoi_vien": (
                "Đề cương tuyên truyền dành cho đoàn viên, hội viên",
                "<h3>1. Chuyển đổi số quanh ta</h3><p>Dịch vụ công trực tuyến, thanh toán "
                "không dùng tiền mặt, học tập trực tuyến.</p><h3>2. Đoàn viên, hội viên làm "
                "gì?</h3><ul><li>Học kỹ năng số, giúp người cao tuổi dùng điện thoại thông "
                "minh.</li><li>Tham gia các mô hình “Bình dân học vụ số”.</li></ul>",
            ),
        },
        "plan_deadline": 21,
    },
    {
        "number": "02-NQ/TU",
        "title": (
            "Nghị quyết của Ban Chấp hành Đảng bộ tỉnh về chuyển đổi số đến năm 2025, định "
            "hướng đến năm 2030"
        ),
        "issued_on": date(2021, 11, 19),
        "issued_by": "Ban Chấp hành Đảng bộ tỉnh",
        "summary": (
            "Nghị quyết số 02-NQ/TU ngày 19/11/2021 của Ban Chấp hành Đảng bộ tỉnh về chuyển "
            "đổi số đến năm 2025, định hướng đến năm 2030."
        ),
        "body": [
            ("heading", "I. Mục tiêu"),
            (
                "paragraph",
                "<p>Chuyển đổi số toàn diện trong hoạt động của các cơ quan Đảng, chính quyền, "
                "Mặt trận Tổ quốc và các tổ chức chính trị - xã hội; phát triển kinh tế số, xã "
                "hội số.</p>",
            ),
            ("heading", "II. Nhiệm vụ trọng tâm"),
            (
                "paragraph",
                "<p>Triển khai Sổ tay đảng viên điện tử đến mọi chi bộ; số hóa hồ sơ, văn bản; "
                "đổi mới hình thức học tập nghị quyết trên môi trường mạng.</p>",
            ),
        ],
        "outlines": {
            "dang_vien": (
                "Đề cương học tập dành cho đảng viên",
                "<p>Nắm vững mục tiêu chuyển đổi số của tỉnh; mỗi đảng viên dùng thành thạo Sổ "
                "tay đảng viên điện tử trong sinh hoạt chi bộ và học tập nghị quyết.</p>",
            ),
            "doan_vien_hoi_vien": (
                "Đề cương tuyên truyền dành cho đoàn viên, hội viên",
                "<p>Các tiện ích số của tỉnh cho người dân; vai trò của đoàn viên, hội viên "
                "trong tổ công nghệ số cộng đồng.</p>",
            ),
        },
        "plan_deadline": -10,
    },
]


def _rng(seed):
    return random.Random(f"study.plans:{seed}")  # noqa: S311 (demo data, not secrets)


def _resolution(index, province, spec, now):
    existing = ResolutionPage.objects.filter(number=spec["number"]).first()
    if existing is not None:
        return existing
    page = ResolutionPage(
        title=spec["title"],
        number=spec["number"],
        issued_on=spec["issued_on"],
        issued_by=spec["issued_by"],
        summary=spec["summary"],
        body=[("paragraph", DEMO_NOTE)] + list(spec["body"]),
        issuer_org=province,
        audience_org=province,
        live=True,
        first_published_at=now - timedelta(days=30),
    )
    index.add_child(instance=page)
    for order, (audience, (title, body)) in enumerate(spec["outlines"].items()):
        ResolutionOutline.objects.create(
            page=page, audience=audience, title=title, body=body, sort_order=order
        )
    return page


def _at(day, hour):
    return datetime.combine(day, time(hour, 0), tzinfo=timezone.get_current_timezone())


def seed(*, scale="tiny", seed=1, stdout=None):
    rng = _rng(seed)
    province = Organisation.objects.filter(kind=OrgKind.PROVINCE, is_active=True).first()
    if province is None:
        return
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        index = study_index()
        pages = [_resolution(index, province, spec, now) for spec in RESOLUTIONS]
        plans = []
        for page, spec in zip(pages, RESOLUTIONS, strict=True):
            plan, _created = StudyPlan.objects.get_or_create(
                resolution=page,
                issuer_org=province,
                defaults={
                    "audience_org": province,
                    "title": f"Kế hoạch học tập, quán triệt Nghị quyết số {page.number}",
                    "audiences": "ca_hai",
                    "deadline": today + timedelta(days=spec["plan_deadline"]),
                    "description": (
                        "Các cấp ủy tổ chức học tập, quán triệt nghị quyết đến toàn thể cán bộ, "
                        "đảng viên; xây dựng kế hoạch thực hiện phù hợp với đơn vị."
                    ),
                },
            )
            plans.append(plan)
        if StudySession.objects.filter(plan=plans[0]).exists():
            return  # seeded already
        members = list(
            Member.objects.filter(status="active")
            .exclude(group=MemberGroup.EXEMPT)
            .values_list("pk", "cell_id")
        )
        districts = list(
            Organisation.objects.filter(parent=province, is_active=True).order_by("lft")
        )
        sessions = _sessions(rng, plans[0], province, districts, today)
        rows = _rolls(rng, sessions, districts, now)
        studies = _readings(rng, pages, members, now)
        made = _implementation(rng, plans, today)
    if stdout is not None:
        stdout.write(
            f"Học tập nghị quyết: {len(pages)} nghị quyết, {len(plans)} kế hoạch, "
            f"{len(sessions)} buổi học ({rows} lượt mời), {made} kế hoạch thực hiện, "
            f"{studies} lượt học."
        )


def _sessions(rng, plan, province, districts, today):
    sessions = []
    for i, district in enumerate(districts):
        past = i % 3 != 2
        day = today - timedelta(days=3 + i) if past else today + timedelta(days=2 + i)
        sessions.append(
            StudySession.objects.create(
                plan=plan,
                issuer_org=province,
                audience_org=district,
                title=f"Hội nghị học tập Nghị quyết {plan.resolution.number} — {district.name}",
                starts_at=_at(day, 8),
                ends_at=_at(day, 11),
                place=f"Hội trường {district.name}",
                state=StudySession.State.HELD if past else StudySession.State.SCHEDULED,
            )
        )
    return sessions


def _rolls(rng, sessions, districts, now):
    total = 0
    for session, district in zip(sessions, districts, strict=True):
        ids = list(
            Member.objects.filter(scope.within(district, "cell"), status="active")
            .exclude(group=MemberGroup.EXEMPT)
            .values_list("pk", flat=True)
        )
        held = session.state == StudySession.State.HELD
        batch = []
        for member_id in ids:
            row = SessionAttendance(session=session, member_id=member_id)
            if held:
                roll = rng.random()
                if roll < 0.7:
                    row.status = "present" if roll < 0.6 else "late"
                    row.method = rng.choice(["card", "app", "cccd", "manual"])
                    row.checked_in_at = session.starts_at + timedelta(minutes=rng.randint(-20, 30))
                elif roll < 0.85:
                    row.status, row.reason = "excused", "Bận công tác"
                else:
                    row.status = "absent"
            batch.append(row)
        SessionAttendance.objects.bulk_create(batch, batch_size=2000)
        StudySession.objects.filter(pk=session.pk).update(expected_participants=len(ids))
        total += len(ids)
    return total


def _readings(rng, pages, members, now):
    shares = [(0.6, 0.45, 0.2), (0.4, 0.3, 0.1)]
    batch = []
    for page, (opened, read, passed) in zip(pages, shares, strict=True):
        for member_id, _cell in members:
            roll = rng.random()
            if roll >= opened:
                continue
            started = now - timedelta(days=rng.randint(1, 25), minutes=rng.randint(0, 600))
            row = ResolutionStudy(member_id=member_id, resolution=page, started_at=started)
            if roll < read:
                row.read_at = started + timedelta(minutes=rng.randint(5, 90))
                row.read_via = rng.choice(["text", "text", "audio", "button"])
            if roll < passed:
                row.quiz_passed_at = row.read_at + timedelta(hours=rng.randint(1, 48))
                row.completed_at = row.quiz_passed_at
            batch.append(row)
    ResolutionStudy.objects.bulk_create(batch, batch_size=5000, ignore_conflicts=True)
    return len(batch)


def _implementation(rng, plans, today):
    made = 0
    for plan in plans:
        rows = []
        for n, unit in enumerate(planning_units(plan).order_by("lft")):
            if rng.random() > 0.65:
                continue
            issued = plan.deadline + timedelta(days=rng.randint(-15, 8))
            issued = min(issued, today)
            suffix = "HU" if unit.kind == OrgKind.DISTRICT else "ĐU"
            rows.append(
                ImplementationPlan(
                    plan=plan,
                    issuer_org=unit,
                    audience_org=unit,
                    number=f"{n + 10}-KH/{suffix}",
                    issued_on=issued,
                    text=(
                        f"Kế hoạch thực hiện Nghị quyết số {plan.resolution.number} của "
                        f"{unit.name}: tổ chức học tập đến 100% chi bộ, đảng viên; lồng ghép "
                        "vào sinh hoạt chi bộ thường kỳ."
                    ),
                )
            )
        ImplementationPlan.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        made += len(rows)
    return made


def register_seeder(registry):
    from sotay_plugins.registry import DemoSeeder

    registry.add_demo_seeder(DemoSeeder("study.plans", seed, order=70))
