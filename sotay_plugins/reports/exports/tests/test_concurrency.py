"""Two requests of the same export at the same moment, from two connections, make one export and
one job (the partial unique constraint decides). PostgreSQL only: SQLite serialises writers."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from sotay_plugins.models import OutboxJob
from sotay_plugins.reports.exports import services
from sotay_plugins.reports.exports.models import Export

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://...)"
    ),
]


@pytest.fixture(autouse=True)
def _roles(db):
    """The built-in roles, whatever an earlier transactional test's flush left."""
    from sotay_plugins.orgtree.roles import sync_builtin_roles

    sync_builtin_roles()


def test_two_requests_at_once_make_one_export_and_one_job(world, monkeypatch):
    monkeypatch.setattr("sotay_plugins.jobs.dispatch", lambda job_id: True)  # jobs stay pending
    barrier = threading.Barrier(2, timeout=20)
    key = services.dedupe_key

    def both_at_once(*args, **kwargs):
        barrier.wait()  # both have passed the checks; both now look for an active twin
        return key(*args, **kwargs)

    monkeypatch.setattr(services, "dedupe_key", both_at_once)
    user, unit = world["viewer_d1"], world["d1"]
    results, errors = [], []

    def ask():
        try:
            export, created = services.request_export(
                user,
                kind="members",
                org=unit,
                start=date.today().replace(day=1),
                end=date.today(),
            )
            results.append((export.pk, created))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len({pk for pk, _created in results}) == 1
    assert sorted(created for _pk, created in results) == [False, True]
    assert Export.objects.count() == 1 and OutboxJob.objects.count() == 1
