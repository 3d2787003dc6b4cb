"""Faults survived, nothing lost (the hardening issue): with the real servers of production,
stopped and restarted under load.

- Redis stops during a check-in peak and while members read their kept home page: no 500, every
  accepted check-in is in the roll, pages are served from the database meanwhile.
- Redis stops during a publication: the publication succeeds, its jobs wait in the outbox and
  are delivered when Redis returns.
- PostgreSQL restarts during a check-in burst: answers meanwhile are 503 with Retry-After (never
  500), the scanners retry, and every check-in lands exactly once.
- A worker is killed in the middle of a job: the job is run again and its effect happens once.
- Elasticsearch is not used yet (search is the database backend): nothing to stop.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest

from .conftest import ROOT

CHECKED_IN = {"present", "late"}
SLOW = "tests.core.jobfuncs.slow_effect"


def chip_qr(member):
    birth = dt.date.fromisoformat(member["birth_date"]).strftime("%d%m%Y")
    sex = "Nam" if member["gender"] == "male" else "Nữ"
    return f"{member['username']}||{member['full_name']}|{birth}|{sex}|Thái Bình|01012022"


def cells_with_secretaries(stack):
    by_cell = {}
    for member in stack.manifest["members"]:
        by_cell.setdefault(member["cell"], []).append(member)
    for cell, members in sorted(by_cell.items()):
        secretaries = [m for m in members if "bi_thu_chi_bo" in m["positions"]]
        if secretaries and len(members) >= 4:
            yield cell, secretaries[0], members


def convene(stack, cell, secretary_token):
    starts = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)).isoformat()
    answer = stack.client().call(
        "POST",
        "/api/v1/meetings/",
        token=secretary_token,
        body={"cell": cell, "starts_at": starts, "place": "Hội trường"},
    )
    assert answer.status == 201, answer.body
    return answer.json()["id"]


def roll(stack, meeting, token):
    rows, page = [], 1
    while True:
        answer = stack.client().call(
            "GET", f"/api/v1/meetings/{meeting}/attendance/?page={page}", token=token
        )
        assert answer.status == 200, answer.body
        data = answer.json()
        rows += data["results"] if isinstance(data, dict) else data
        if not isinstance(data, dict) or not data.get("next"):
            return rows
        page += 1


def checked_in_usernames(stack, meeting, token, members):
    by_id = {row["member"]: row["status"] for row in roll(stack, meeting, token)}
    ids = dict(
        stack.sql(
            "SELECT u.username, m.id FROM members_member m JOIN auth_user u ON u.id = m.user_id"
            " WHERE u.username = ANY(%s)",
            [m["username"] for m in members],
        )
    )
    return {name for name, pk in ids.items() if by_id.get(pk) in CHECKED_IN}


@pytest.fixture(scope="module")
def cells(stack):
    found = list(cells_with_secretaries(stack))
    assert len(found) >= 2, "the tiny demo has cells with a secretary and members"
    return found


def test_redis_stops_during_a_checkin_peak_and_page_cache_use(stack, cells):
    cell, secretary, members = cells[0]
    token = stack.token(secretary["username"])
    meeting = convene(stack, cell, token)
    reader = stack.member_session(members[-1]["username"])
    assert reader.call("GET", "/").status == 200

    statuses, accepted = [], set()

    def scan(member):
        answer = stack.client().call(
            "POST",
            f"/api/v1/meetings/{meeting}/checkin/",
            token=token,
            body={"cccd_qr": chip_qr(member)},
        )
        statuses.append(answer.status)
        if answer.status in (200, 201):
            accepted.add(member["username"])

    def read():
        statuses.append(reader.call("GET", "/").status)

    half = len(members) // 2
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda f: f(), [lambda m=m: scan(m) for m in members[:half]] + [read] * 6))
        stack.redis.stop()  # Redis goes away in the middle of the peak
        work = [lambda m=m: scan(m) for m in members] * 2 + [read] * 12
        list(pool.map(lambda f: f(), work))
        stack.redis.start()
        list(pool.map(lambda f: f(), [lambda m=m: scan(m) for m in members] + [read] * 6))

    assert [s for s in statuses if s >= 500] == [], statuses
    assert accepted == {m["username"] for m in members}
    assert checked_in_usernames(stack, meeting, token, members) == accepted


def test_redis_stops_during_a_publication_and_the_outbox_delivers_later(stack):
    stack.redis.stop()
    try:
        since = stack.sql("SELECT now()")[0][0]
        script = (
            "from wagtail.models import Page\n"
            "page = Page.objects.live().filter(depth__gte=4).order_by('-id').first().specific\n"
            "page.title = page.title + ' (cập nhật)'\n"
            "page.save_revision().publish()\n"
            "print('published', page.pk)\n"
        )
        published = stack.manage("shell", "-c", script)
        assert "published" in published.stdout
        waiting = stack.sql("SELECT id, state FROM sotay_outboxjob WHERE created_at >= %s", since)
        assert waiting and {state for _, state in waiting} == {"pending"}
    finally:
        stack.redis.start()
    stack.manage("sweep_outbox", "--older-than", "0")
    stack.manage("rqworker", "--burst", "default", timeout=300)
    states = stack.sql(
        "SELECT state, count(*) FROM sotay_outboxjob WHERE created_at >= %s GROUP BY state", since
    )
    assert dict(states).keys() == {"done"}, states


def test_postgres_restarts_during_a_checkin_burst(stack, cells):
    cell, secretary, members = cells[1]
    token = stack.token(secretary["username"])
    meeting = convene(stack, cell, token)
    seen = []

    def scan_until_accepted(member):
        """What the scanner's queue does: retry on 503 or a dropped connection."""
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                answer = stack.client().call(
                    "POST",
                    f"/api/v1/meetings/{meeting}/checkin/",
                    token=token,
                    body={"cccd_qr": chip_qr(member)},
                    timeout=15,
                )
            except OSError:
                seen.append("connection")
                time.sleep(0.2)
                continue
            seen.append(answer.status)
            if answer.status in (200, 201):
                return True
            assert answer.status == 503 and answer.headers.get("Retry-After"), answer.body
            time.sleep(0.2)
        return False

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(scan_until_accepted, m) for m in members * 3]
        time.sleep(0.3)
        stack.pg.restart()
        results = [f.result() for f in futures]

    assert all(results), seen
    assert 500 not in seen
    assert checked_in_usernames(stack, meeting, token, members) == {m["username"] for m in members}
    counts = stack.sql(
        "SELECT count(*), count(DISTINCT member_id) FROM meetings_attendance WHERE meeting_id = %s",
        meeting,
    )[0]
    assert counts[0] == counts[1]  # one row per member, whatever the retries


def test_a_worker_killed_in_the_middle_of_a_job_runs_it_again_once(stack):
    stack.sql("CREATE TABLE IF NOT EXISTS fault_runs (id serial primary key, key text)")
    stack.sql("CREATE TABLE IF NOT EXISTS fault_effect (key text primary key)")
    stack.manage(
        "shell",
        "-c",
        "from sotay_plugins import jobs\n"
        "jobs.enqueue('tests.core.jobfuncs.slow_effect', key='k1', seconds=4)\n",
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "rqworker", "default"],
        cwd=ROOT,
        env=stack.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not stack.sql("SELECT 1 FROM fault_runs WHERE key = 'k1'"):
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.1)
        # The worker and its work-horse (RQ puts the horse in a process group of its own; the
        # job names its process), mid-job.
        (runner,) = stack.sql("SELECT runner FROM sotay_outboxjob WHERE func = %s", SLOW)[0]
        os.killpg(worker.pid, signal.SIGKILL)
        os.kill(int(runner.rpartition(":")[2]), signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    (state,) = stack.sql("SELECT state FROM sotay_outboxjob WHERE func = %s", SLOW)[0]
    assert state == "running" and not stack.sql("SELECT 1 FROM fault_effect")

    stack.manage("sweep_outbox", "--older-than", "0")
    stack.manage("rqworker", "--burst", "default", timeout=120)

    job = stack.sql("SELECT state, attempts FROM sotay_outboxjob WHERE func = %s", SLOW)[0]
    assert job == ("done", 2)
    assert stack.sql("SELECT count(*) FROM fault_runs")[0][0] == 2
    assert stack.sql("SELECT count(*) FROM fault_effect")[0][0] == 1
