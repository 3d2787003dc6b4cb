"""``make run`` prints the demo's address and one login per role LAST (issue 17).

The seeding step is quiet (a few summary lines, no job log at INFO) and ``run_demo`` prints the
logins after runserver's own banner.
"""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from sotay_plugins.members.demo.province import DEMO_PASSWORD, SUPERUSER
from sotay_plugins.members.management.commands.run_demo import Command as RunDemo
from sotay_plugins.orgtree.models import RoleAssignment


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("seed_demo", "--scale", "tiny", "--seed", "5", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_every_role_and_a_member_and_the_superuser_are_printed(seeded, db):
    out = io.StringIO()
    call_command("demo_logins", url="http://127.0.0.1:8000", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/" in text and "/quan-tri/" in text and DEMO_PASSWORD in text
    names = set(RoleAssignment.objects.values_list("role__name", flat=True))
    # the seeded province holds the office, viewer, board, editor, uploader, updater, secretary
    assert len(names) >= 7
    for name in names:
        assert re.search(rf"^\s+\S+\s+{re.escape(name)} — ", text, re.M), name
    assert re.search(rf"^\s+{SUPERUSER}\s+Quản trị hệ thống", text, re.M)
    member_line = re.search(r"^\s+(\d{12})\s+Đảng viên — ", text, re.M)
    assert member_line
    # every printed username logs in with the demo password
    from django.contrib.auth import get_user_model

    for username in re.findall(r"^    (\S+)  ", text, re.M):
        assert get_user_model().objects.get(username=username).check_password(DEMO_PASSWORD)


def test_run_demo_prints_the_logins_after_the_servers_banner(seeded, db):
    out = io.StringIO()
    command = RunDemo(stdout=out)
    command.addr, command._raw_ipv6, command.protocol = "127.0.0.1", False, "http"
    command.on_bind(8000)
    text = out.getvalue()
    assert text.index("Starting development server") < text.index(SUPERUSER)
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[-1].startswith("=====")
    assert any("Đảng viên — " in line for line in lines[-6:])


def test_seeding_is_a_few_summary_lines(seeded, db):
    # `db` keeps it among the database tests, before the transactional ones flush the pages the
    # migrations created (pytest-django runs tests without a database mark last).
    lines = [line for line in seeded.splitlines() if line.strip()]
    assert 2 <= len(lines) <= 15, lines


def test_make_run_is_quiet_and_serves_through_run_demo():
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "migrate --noinput -v 0" in run
    assert "DJANGO_LOG_LEVEL=$(DEMO_LOG_LEVEL)" in run and "DEMO_LOG_LEVEL ?= WARNING" in makefile
    assert run.strip().splitlines()[-1].split("manage.py ")[1].startswith("run_demo ")
