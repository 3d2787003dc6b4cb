"""Fixtures of the agenda tests: a small tree with a cell secretary, members of that cell, a
neighbour cell, a far district, a district committee officer; and a fixed Hà Nội time."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.factories import MemberFactory, UserFactory, grant


@pytest.fixture
def noon():
    with time_machine.travel("2027-03-10 12:00 +0700", tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(tree):
    secretary = MemberFactory(cell=tree["c11"], positions=frozenset({"bi_thu_chi_bo"}))
    grant(secretary.user, "cell_secretary", tree["c11"])
    neighbour_secretary = MemberFactory(cell=tree["c12"], positions=frozenset({"bi_thu_chi_bo"}))
    grant(neighbour_secretary.user, "cell_secretary", tree["c12"])
    district = UserFactory()
    grant(district, "document_uploader", tree["d1"])
    return {
        "secretary": secretary,
        "neighbour_secretary": neighbour_secretary,
        "district": district,
        "a": MemberFactory(cell=tree["c11"], full_name="Đảng viên A"),
        "b": MemberFactory(cell=tree["c11"], full_name="Đảng viên B"),
        "neighbour": MemberFactory(cell=tree["c12"], full_name="Đảng viên C"),
        "far": MemberFactory(cell=tree["c21"], full_name="Đảng viên xa"),
    }


def at(days, hour=9):
    """A local time ``days`` from today at ``hour``."""
    moment = timezone.localtime() + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def when():
    return at


@pytest.fixture
def world(tree, people, noon):
    """Meetings, a study session, a quiz and feedback deadline around 2027-03."""
    from sotay_plugins.feedback.models import Feedback, Receiver
    from sotay_plugins.meetings.models import Meeting
    from sotay_plugins.study.plans.models import StudyPlan, StudySession
    from sotay_plugins.study.quizzes.models import QuestionBank, Quiz
    from sotay_plugins.study.resolutions.models import ResolutionPage
    from sotay_plugins.study.resolutions.services import study_index

    page = ResolutionPage(
        issuer_org=tree["province"],
        audience_org=tree["province"],
        title="Nghị quyết 57",
        number="57-NQ/TW",
        issued_on=date(2024, 12, 22),
        issued_by="Bộ Chính trị",
        summary="Khoa học, công nghệ.",
        live=True,
    )
    study_index().add_child(instance=page)
    plan = StudyPlan.objects.create(
        issuer_org=tree["province"],
        audience_org=tree["province"],
        resolution=page,
        title="Kế hoạch học tập",
        deadline=date(2027, 4, 30),
    )
    out = {
        "meeting": Meeting.objects.create(
            issuer_org=tree["c11"],
            audience_org=tree["c11"],
            title="Sinh hoạt thường kỳ tháng 3",
            starts_at=at(5, 14),
            place="Nhà văn hóa thôn",
        ),
        "neighbour_meeting": Meeting.objects.create(
            issuer_org=tree["c12"],
            audience_org=tree["c12"],
            title="Sinh hoạt chi bộ bên cạnh",
            starts_at=at(5, 8),
        ),
        "session": StudySession.objects.create(
            issuer_org=tree["province"],
            audience_org=tree["b1"],
            plan=plan,
            title="Hội nghị học tập Nghị quyết 57",
            starts_at=at(7, 8),
            place="Hội trường xã",
        ),
        "far_session": StudySession.objects.create(
            issuer_org=tree["province"],
            audience_org=tree["b2"],
            plan=plan,
            title="Học tập ở xã 2",
            starts_at=at(7, 8),
            place="Xã 2",
        ),
    }
    bank = QuestionBank.objects.create(resolution=page, org=tree["province"], title="Ngân hàng")
    out["quiz"] = Quiz.objects.create(
        issuer_org=tree["province"],
        audience_org=tree["d1"],
        bank=bank,
        title="Kiểm tra Nghị quyết 57",
        opens_at=at(-2),
        closes_at=at(9, 17),
        published=True,
    )
    out["far_quiz"] = Quiz.objects.create(
        issuer_org=tree["province"],
        audience_org=tree["d2"],
        bank=bank,
        title="Kiểm tra ở huyện 2",
        opens_at=at(-2),
        closes_at=at(9, 17),
        published=True,
    )
    handler = people["district"]
    grant(handler, "feedback_handler", tree["d1"])
    receiver = Receiver.objects.create(org=tree["d1"], name="Ban Tuyên giáo huyện 1")
    out["feedback"] = Feedback.objects.create(
        receiver=receiver,
        text="Đường làng xuống cấp",
        author=people["a"],
        created_on=timezone.localdate(),
        created_at=timezone.now(),
        assignee=handler,
        due_on=timezone.localdate() + timedelta(days=4),
    )
    return out
