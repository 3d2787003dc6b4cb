"""The demo seeder of resolutions and plans: registered, real content, idempotent."""

import pytest

from sotay_plugins.registry import registry
from sotay_plugins.study.plans.models import (
    ImplementationPlan,
    SessionAttendance,
    StudyPlan,
    StudySession,
)
from sotay_plugins.study.resolutions.models import (
    ResolutionOutline,
    ResolutionPage,
    ResolutionStudy,
)

from .resolutions_helpers import world

pytestmark = pytest.mark.django_db


def test_the_seeder_adds_a_real_resolution_with_plans_sessions_and_readings():
    w = world()
    seeder = registry.demo_seeders["study.plans"]
    seeder.seed(scale="tiny", seed=1, stdout=None)
    page = ResolutionPage.objects.get(number="52-NQ/TW")
    assert page.live and page.issued_by == "Bộ Chính trị"
    assert page.audience_org == w["tree"]["province"]
    assert set(ResolutionOutline.objects.filter(page=page).values_list("audience", flat=True)) == {
        "dang_vien",
        "doan_vien_hoi_vien",
    }
    assert StudyPlan.objects.count() == 2
    assert StudySession.objects.count() == 2  # one per district
    assert SessionAttendance.objects.exists()
    held = StudySession.objects.filter(state="held")
    assert SessionAttendance.objects.filter(session__in=held).exclude(status="expected").exists()
    assert ImplementationPlan.objects.exists() and ResolutionStudy.objects.exists()
    counts = (StudySession.objects.count(), ResolutionStudy.objects.count())
    seeder.seed(scale="tiny", seed=1, stdout=None)
    assert (StudySession.objects.count(), ResolutionStudy.objects.count()) == counts
