"""The ledger: rules from the registry, dedupe under retries, caps, a changed rule not rewriting
history, forged and negative events refused, adjustments in scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sotay_plugins.registry import PointRule, registry
from sotay_plugins.signals import points_earned
from sotay_plugins.study.points import ledger, rules
from sotay_plugins.study.points.models import ADJUSTMENT, PointLine, RuleOverride

from .points_helpers import ago, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def lines(member, rule=None):
    qs = PointLine.objects.filter(member=member)
    return list(qs.filter(rule=rule) if rule else qs)


def test_the_rules_come_from_the_plugins_through_the_registry():
    keys = set(registry.point_rules)
    assert {
        "study.read",
        "study.completed",
        "study.session_attended",
        "study.quiz_passed",
        "meetings.attended",
        "editorial.read",
    } <= keys
    assert str(rules.label_of("meetings.attended")) == "Dự sinh hoạt chi bộ"


def test_a_rule_with_negative_or_zero_points_cannot_be_registered():
    with pytest.raises(ValueError):
        PointRule("x.bad", "Sai", -5)
    with pytest.raises(ValueError):
        PointRule("x.bad", "Sai", 0)
    with pytest.raises(ValueError):
        PointRule("x.bad", "Sai", 5, cap_per_day=0)


def test_an_event_earns_the_rules_points_once_even_when_sent_again(world):
    a = world["a"]
    for _ in range(3):  # a retry, a double send
        points_earned.send(
            sender=None,
            rule="study.quiz_passed",
            member_id=a.pk,
            source="study.quiz:7",
            at=ago(hours=1),
        )
    [line] = lines(a)
    assert (line.rule, line.points, line.rule_points, line.source) == (
        "study.quiz_passed",
        10,
        10,
        "study.quiz:7",
    )
    assert line.cell_id == world["tree"]["c11"].pk


def test_the_cap_per_day_holds_and_the_next_day_earns_again(world):
    a = world["a"]
    at = ago(days=2)
    outcomes = [
        ledger.award("editorial.read", a.pk, f"editorial.documentpage:{n}", at).status
        for n in range(8)
    ]
    assert outcomes == ["recorded"] * 5 + ["capped"] * 3
    assert sum(line.points for line in lines(a)) == 5
    assert ledger.award("editorial.read", a.pk, "editorial.documentpage:99", ago(days=1)).recorded


def test_a_cap_that_leaves_less_than_the_rule_gives_what_is_left(world):
    a = world["a"]
    at = ago(days=3)
    RuleOverride.objects.create(
        province=world["tree"]["province"],
        rule="study.session_attended",
        points=4,
        cap_per_day=10,
    )
    got = [ledger.award("study.session_attended", a.pk, f"study.session:{n}", at) for n in range(3)]
    assert [o.status for o in got] == ["recorded", "recorded", "recorded"]
    assert [o.line.points for o in got] == [4, 4, 2]
    assert got[2].line.rule_points == 4  # the line says the rule gave 4, the cap held 2 back


def test_the_cap_per_item_holds_across_sources_of_one_item(world):
    a = world["a"]
    first = ledger.award(
        "study.quiz_passed", a.pk, "study.attempt:1", ago(days=5), item="study.quiz:3"
    )
    second = ledger.award(
        "study.quiz_passed", a.pk, "study.attempt:2", ago(days=4), item="study.quiz:3"
    )
    other = ledger.award(
        "study.quiz_passed", a.pk, "study.attempt:3", ago(days=4), item="study.quiz:4"
    )
    assert (first.status, second.status, other.status) == ("recorded", "capped", "recorded")


def test_a_changed_rule_does_not_rewrite_the_past(world):
    a = world["a"]
    province = world["tree"]["province"]
    ledger.award("study.completed", a.pk, "study.resolution:1", ago(days=10))
    RuleOverride.objects.create(province=province, rule="study.completed", points=25)
    ledger.award("study.completed", a.pk, "study.resolution:2", ago(days=1))
    assert sorted(line.points for line in lines(a, "study.completed")) == [10, 25]


def test_a_rule_a_province_switched_off_earns_nothing(world):
    RuleOverride.objects.create(
        province=world["tree"]["province"], rule="study.read", points=5, active=False
    )
    outcome = ledger.award("study.read", world["a"].pk, "study.resolution:1", ago(hours=1))
    assert outcome.status == "rule_off" and not lines(world["a"])


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"rule": "study.hack"}, "rule"),
        ({"rule": None}, "rule"),
        ({"points": 500}, "forged"),
        ({"points": -50}, "forged"),
        ({"member_id": 10**9}, "member"),
        ({"member_id": -1}, "member"),
        ({"member_id": "1"}, "member"),
        ({"source": "nonsense"}, "source"),
        ({"source": "study.quiz:1; DROP TABLE"}, "source"),
        ({"source": "<script>.x:1"}, "source"),
        ({"source": ""}, "source"),
        ({"item": "no item"}, "item"),
        ({"at": "2026-01-01"}, "at"),
        ({"at": timezone.now() + timedelta(days=1)}, "at"),
    ],
)
def test_forged_or_negative_or_malformed_events_are_refused(world, kwargs, code):
    event = {
        "rule": "study.quiz_passed",
        "member_id": world["a"].pk,
        "source": "study.quiz:1",
        "at": ago(hours=1),
    }
    event.update(kwargs)
    rule, member_id, source, at = (event.pop(k) for k in ("rule", "member_id", "source", "at"))
    with pytest.raises(ledger.PointsRefused) as refused:
        ledger.award(rule, member_id, source, at, **event)
    assert refused.value.code == code
    assert refused.value.messages[0]  # a Vietnamese sentence
    assert not PointLine.objects.exists()
    # Through the signal, the sender's own work is never broken: nothing raised, nothing written.
    points_earned.send(sender=None, rule=rule, member_id=member_id, source=source, at=at, **event)
    assert not PointLine.objects.exists()


def test_an_earned_line_cannot_be_negative_in_the_database(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PointLine.objects.create(
            rule="study.read",
            member=world["a"],
            cell=world["tree"]["c11"],
            issuer_org=world["tree"]["c11"],
            points=-5,
            rule_points=5,
            source="study.resolution:1",
            item="study.resolution:1",
            at=timezone.now(),
            day=timezone.localdate(),
        )


# --- adjustments ---------------------------------------------------------------------------


def test_a_committee_adjusts_a_member_of_its_subtree_with_a_reason(world):
    line = ledger.adjust(world["manager1"], world["a"], -7, "  Ghi nhầm   điểm  ")
    assert (line.rule, line.points, line.reason) == (ADJUSTMENT, -7, "Ghi nhầm điểm")
    assert line.issuer_org_id == world["tree"]["d1"].pk
    assert line.created_by == world["manager1"]


def test_staff_of_another_district_cannot_adjust(world):
    with pytest.raises(ledger.PointsRefused) as refused:
        ledger.adjust(world["manager2"], world["a"], 5, "Khen thưởng")
    assert refused.value.code == "forbidden"
    assert not PointLine.objects.exists()
    assert world["a"] not in ledger.adjustable_members(world["manager2"])
    assert world["far"] in ledger.adjustable_members(world["manager2"])


def test_a_viewer_cannot_adjust(world):
    with pytest.raises(ledger.PointsRefused):
        ledger.adjust(world["viewer"], world["a"], 5, "Khen thưởng")


@pytest.mark.parametrize(
    ("points", "reason", "code"),
    [
        (0, "Lý do", "points"),
        (5000, "Lý do", "points"),
        (5, "   ", "reason"),
        (5, "x" * 300, "reason"),
        ("5", "Lý do", "points"),
        (True, "Lý do", "points"),
    ],
)
def test_bad_adjustments_are_refused_with_nothing_written(world, points, reason, code):
    with pytest.raises(ledger.PointsRefused) as refused:
        ledger.adjust(world["manager1"], world["a"], points, reason)
    assert refused.value.code == code
    assert not PointLine.objects.exists()
