"""Concurrent events on PostgreSQL: the same event sent by many workers at once is one line;
events racing for the last points of a cap never exceed it (the per-member advisory lock)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from sotay_plugins.study.points import ledger
from sotay_plugins.study.points.models import PointLine

from .points_helpers import ago, make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is proved on PostgreSQL"
    ),
]

WORKERS = 12


def race(calls):
    """Run each call in its own thread (its own connection), all released at once."""
    barrier = threading.Barrier(len(calls))
    outcomes, errors = [], []

    def run(call):
        try:
            barrier.wait()
            outcomes.append(call().status)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return outcomes


def test_the_same_event_from_many_workers_is_one_line():
    world = make_world()
    member_id = world["a"].pk
    at = ago(hours=1)
    outcomes = race(
        [
            lambda: ledger.award("study.quiz_passed", member_id, "study.quiz:42", at)
            for _ in range(WORKERS)
        ]
    )
    assert sorted(outcomes) == ["duplicate"] * (WORKERS - 1) + ["recorded"]
    assert PointLine.objects.filter(member_id=member_id).count() == 1


def test_racing_events_never_exceed_the_cap_per_day():
    world = make_world()
    member_id = world["a"].pk
    at = ago(hours=1)
    outcomes = race(
        [
            lambda n=n: ledger.award("editorial.read", member_id, f"editorial.documentpage:{n}", at)
            for n in range(WORKERS)
        ]
    )
    assert outcomes.count("recorded") == 5 and outcomes.count("capped") == WORKERS - 5
    assert sum(PointLine.objects.filter(member_id=member_id).values_list("points", flat=True)) == 5


def test_racing_events_never_exceed_the_cap_per_item():
    world = make_world()
    member_id = world["a"].pk
    outcomes = race(
        [
            lambda n=n: ledger.award(
                "study.quiz_passed",
                member_id,
                f"study.attempt:{n}",
                ago(hours=n + 1),
                item="study.quiz:9",
            )
            for n in range(WORKERS)
        ]
    )
    assert outcomes.count("recorded") == 1
    assert PointLine.objects.filter(member_id=member_id).count() == 1
