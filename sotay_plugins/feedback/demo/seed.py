"""Demo data of the feedback plugin (``seed_demo``): topics, receiving units, a keyword list, a
handler and a custodian per district (and the province), feedback in every state (shown and
hidden authors, one flagged per district), and published Q&A."""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from sotay_plugins.members.demo.province import DEMO_PASSWORD
from sotay_plugins.members.models import Member, MemberStatus
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import OrgKind
from sotay_plugins.orgtree.models import AdvisoryBody, Organisation, Role, RoleAssignment

from .. import escrow
from ..models import (
    CUSTODIAN_ROLE,
    HANDLER_ROLE,
    SCREENER_ROLE,
    Custodianship,
    Entry,
    Feedback,
    KeywordList,
    Question,
    Receiver,
    Topic,
)

TOPICS = [
    "Xây dựng Đảng",
    "Đạo đức, lối sống cán bộ",
    "Cải cách hành chính",
    "Đất đai, môi trường",
    "An sinh xã hội",
    "Kinh tế, nông thôn mới",
]
TERMS = [
    "tham nhũng",
    "hối lộ",
    "tiêu cực",
    "bạo loạn",
    "biểu tình",
    "phản động",
    "đa nguyên",
    "đa đảng",
    "chạy chức",
    "chạy quyền",
    "lợi ích nhóm",
    "bôi nhọ",
]
TEXTS = [
    "Đề nghị cấp ủy quan tâm việc sửa đường liên ấp, mùa mưa đi lại rất khó khăn.",
    "Góp ý về việc tổ chức sinh hoạt chi bộ: nội dung nên gắn với nhiệm vụ cụ thể của địa phương.",
    "Phản ánh thủ tục cấp giấy chứng nhận quyền sử dụng đất còn chậm, người dân phải đi lại "
    "nhiều lần.",
    "Đề nghị tăng cường tuyên truyền nghị quyết cho đảng viên lớn tuổi bằng hình thức đọc to.",
    "Phản ánh việc thu gom rác thải ở khu chợ chưa kịp thời, ảnh hưởng môi trường.",
    "Đề nghị xem xét hỗ trợ hộ nghèo sửa nhà trước mùa mưa bão.",
]
FLAGGED = "Phản ánh có dấu hiệu tham nhũng trong việc xét hộ nghèo tại ấp, đề nghị kiểm tra."
QUESTIONS = [
    (
        "Đảng phí đóng thế nào khi đi làm ăn xa?",
        "Tôi đi làm ăn xa, xin hỏi cách đóng đảng phí hằng tháng.",
        "Đồng chí đóng đảng phí tại chi bộ nơi sinh hoạt tạm thời, hoặc gửi chi bộ nơi sinh hoạt "
        "chính thức theo quy định.",
    ),
    (
        "Thủ tục chuyển sinh hoạt đảng tạm thời?",
        "Xin hỏi hồ sơ chuyển sinh hoạt đảng tạm thời gồm những gì?",
        "Đồng chí làm đơn, được chi bộ và đảng ủy cơ sở xác nhận, rồi nộp giấy giới thiệu cho nơi "
        "đến trong thời hạn quy định.",
    ),
    (
        "Có được miễn sinh hoạt khi ốm dài ngày?",
        "Đảng viên ốm dài ngày có được miễn sinh hoạt không?",
        "Đảng viên tuổi cao, sức yếu hoặc ốm đau có thể làm đơn xin miễn sinh hoạt; chi bộ xem "
        "xét, quyết định.",
    ),
]
PER_DISTRICT = {"tiny": 6, "small": 10, "province": 24}


def _seg(org):
    return "tinh" if org.kind == OrgKind.PROVINCE else org.code.rsplit(".", 1)[-1]


@transaction.atomic
def seed_demo(*, scale, seed, stdout=None):
    rng = random.Random(f"feedback:{seed}")
    User = get_user_model()
    roles = {
        r.code: r
        for r in Role.objects.filter(code__in=[HANDLER_ROLE, CUSTODIAN_ROLE, SCREENER_ROLE])
    }
    if len(roles) < 3:
        return
    password = make_password(DEMO_PASSWORD)
    today = timezone.localdate()
    n_feedback = n_questions = 0
    for province in Organisation.objects.filter(kind=OrgKind.PROVINCE, is_active=True):
        topics = [
            Topic.objects.get_or_create(org=province, name=name, defaults={"order": i})[0]
            for i, name in enumerate(TOPICS)
        ]
        KeywordList.objects.get_or_create(
            org=province, name="Từ khóa cần xem xét", defaults={"terms": "\n".join(TERMS)}
        )
        units = [
            province,
            *Organisation.objects.filter(
                parent=province, kind=OrgKind.DISTRICT, is_active=True
            ).order_by("code"),
        ]
        screener = _user(
            User,
            f"sangloc.{_seg(province)}",
            password,
            "Sàng lọc",
            province.short_name or province.name,
        )
        _role(screener, roles[SCREENER_ROLE], province)
        for unit in units:
            seg = _seg(unit)
            receiver, _created = Receiver.objects.get_or_create(
                org=unit, body=None, defaults={"name": f"Ban Thường vụ {unit.name}"}
            )
            for body in AdvisoryBody.objects.filter(
                org=unit, is_active=True, kind__in=["dan_van", "kiem_tra", "noi_chinh"]
            ):
                Receiver.objects.get_or_create(org=unit, body=body, defaults={"name": body.name})
            handler = _user(
                User, f"xuly.{seg}", password, "Xử lý góp ý", unit.short_name or unit.name
            )
            custodian = _user(
                User, f"danhtinh.{seg}", password, "Giữ danh tính", unit.short_name or unit.name
            )
            _role(handler, roles[HANDLER_ROLE], unit)
            _role(custodian, roles[CUSTODIAN_ROLE], unit)
            Custodianship.objects.get_or_create(receiver=receiver, defaults={"user": custodian})
            members = list(
                Member.objects.filter(scope.within(unit, "cell"), status=MemberStatus.ACTIVE)
                .order_by("pk")
                .values_list("pk", flat=True)[:400]
            )
            if not members:
                continue
            count = PER_DISTRICT.get(scale, 6) if unit.kind != OrgKind.PROVINCE else 4
            for i in range(count):
                _one(rng, receiver, rng.choice(topics), rng.choice(members), i, handler, today)
                n_feedback += 1
            _one(rng, receiver, topics[1], rng.choice(members), -1, handler, today, flagged=True)
            n_feedback += 1
        for base in Organisation.objects.filter(
            scope.within(province), kind=OrgKind.BASE, is_active=True
        ).order_by("code")[:20]:
            asker = Member.objects.filter(scope.within(base, "cell")).order_by("pk").first()
            for title, text, answer in QUESTIONS:
                now = timezone.now()
                Question.objects.create(
                    asker=asker,
                    title=title,
                    text=text,
                    answer=answer,
                    asked_on=today - timedelta(days=rng.randint(3, 60)),
                    issuer_org=base,
                    audience_org=base,
                    answered_at=now,
                    is_published=True,
                    published_at=now,
                )
                n_questions += 1
    scope.grants_changed()
    if stdout:
        stdout.write(f"Góp ý: {n_feedback} góp ý, {n_questions} hỏi đáp đã công khai.")


def _user(User, username, password, first, last):
    user, _created = User.objects.get_or_create(
        username=username,
        defaults={"password": password, "first_name": first, "last_name": last[:150]},
    )
    return user


def _role(user, role, org):
    RoleAssignment.objects.get_or_create(user=user, role=role, org=org, advisory_body=None)


def _one(rng, receiver, topic, member_id, i, handler, today, flagged=False):
    hidden = rng.random() < 0.4 if not flagged else True
    created_on = today - timedelta(days=rng.randint(1, 45))
    states = [Feedback.Status.RECEIVED, Feedback.Status.IN_PROGRESS, Feedback.Status.CLOSED]
    status = Feedback.Status.REVIEW if flagged else states[i % 3]
    at = timezone.now() - timedelta(days=(today - created_on).days)
    feedback = Feedback.objects.create(
        receiver=receiver,
        topic=topic,
        text=FLAGGED if flagged else rng.choice(TEXTS),
        hide_identity=hidden,
        author_id=None if hidden else member_id,
        created_on=created_on,
        created_at=None if hidden else at,
        status=status,
        flagged_terms=["tham nhũng"] if flagged else [],
        due_on=created_on + timedelta(days=receiver.due_days),
        assignee=handler if status != Feedback.Status.RECEIVED and not flagged else None,
        result="Đã kiểm tra, trả lời người gửi và chỉ đạo khắc phục."
        if status == Feedback.Status.CLOSED
        else "",
        closed_on=min(today, created_on + timedelta(days=rng.randint(2, 20)))
        if status == Feedback.Status.CLOSED
        else None,
    )
    if hidden:
        escrow.seal(feedback, member_id)
    seq = 0
    if flagged:
        seq += 1
        Entry.objects.create(
            feedback=feedback,
            seq=seq,
            kind=Entry.Kind.FLAGGED,
            on=created_on,
            to_author=True,
            text="Góp ý đang được xem xét trước khi chuyển xử lý.",
        )
    if status in (Feedback.Status.IN_PROGRESS, Feedback.Status.CLOSED):
        seq += 1
        Entry.objects.create(
            feedback=feedback,
            seq=seq,
            kind=Entry.Kind.ASSIGNED,
            on=created_on,
            by_user=handler,
            text="Giao cán bộ xử lý.",
        )
        seq += 1
        Entry.objects.create(
            feedback=feedback,
            seq=seq,
            kind=Entry.Kind.REPLY,
            on=created_on,
            by_user=handler,
            to_author=True,
            text="Đơn vị đã tiếp nhận và đang xác minh nội dung góp ý.",
        )
    if status == Feedback.Status.CLOSED:
        seq += 1
        Entry.objects.create(
            feedback=feedback,
            seq=seq,
            kind=Entry.Kind.CLOSED,
            on=feedback.closed_on,
            by_user=handler,
            to_author=True,
            text=feedback.result,
        )
    return feedback
