"""Exports (issue 16): the province's member list in Excel (budget: < 60 s and < 300 MB of
memory) and a district's monthly pack for all its cells (budget: < 2 minutes).

Usage (its own database, seeded once; ~5 minutes)::

    python bench/bench_exports.py seed      # drops/recreates sotay_exports, migrates,
                                            # seed_demo --scale province --seed 1
    python bench/bench_exports.py members   # /usr/bin/time -v manage.py export_report
                                            #   --user vanphong.tinh --kind members
                                            #   --org <province> --personal (20 columns)
    python bench/bench_exports.py monthly   # the same, --kind monthly --org <largest district>
                                            #   --month <this month> (one PDF per cell, zipped)
    python bench/bench_exports.py all       # members then monthly

``DATABASE_URL`` chooses the database (default ``sotay_exports``; ``seed`` refuses a name
that does not start with ``sotay_bench`` or ``sotay_exports``). Each export runs in a subprocess
of its own under ``/usr/bin/time -v`` (wall clock, CPU, peak resident memory of that process: the
job's whole cost, Django included), with the embedded job runner (no ``REDIS_URL``: the job runs
in that process, as RQ's worker would run it). The figures are printed as one ``RESULT`` line per
export and written to ``bench/out/exports.json``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sotay_exports"
PYTHON = sys.executable
BUDGETS = {"members": (60.0, 300.0), "monthly": (120.0, None)}


def env():
    out = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    out.setdefault("DATABASE_URL", DEFAULT_URL)
    out.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    out["DJANGO_DEBUG"] = "0"
    out["SOTAY_PRIVATE_ROOT"] = str(ROOT / "bench" / "out" / "private")
    return out


def manage(*args, timed=False):
    command = [PYTHON, "manage.py", *args]
    if timed:
        command = ["/usr/bin/time", "-v", *command]
    return subprocess.run(command, cwd=ROOT, env=env(), capture_output=True, text=True, check=False)


def seed():
    url = env()["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    if not name.startswith(("sotay_bench", "sotay_exports")):
        sys.exit(f"refusing to recreate {name}")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    for args in (("migrate", "-v", "0"), ("seed_demo", "--scale", "province", "--seed", "1")):
        done = manage(*args, timed=args[0] == "seed_demo")
        print(done.stdout[-2000:], done.stderr[-3000:])
        if done.returncode:
            sys.exit(done.returncode)


def units():
    """(province code, the district with the most cells) read from the seeded database."""
    script = (
        "from django.db.models import Count, Q;"
        "from sotay_plugins.orgtree.models import Organisation as O;"
        "p=O.objects.get(parent=None, kind='province');"
        "ds=[(O.objects.filter(tree_id=d.tree_id, lft__gt=d.lft, rght__lt=d.rght, kind='cell')"
        ".count(), d.code) for d in O.objects.filter(parent=p, kind='district')];"
        "print(p.code, max(ds)[1], max(ds)[0])"
    )
    done = manage("shell", "-c", script)
    if done.returncode:
        sys.exit(done.stderr)
    province, district, cells = done.stdout.split()[-3:]
    return province, district, int(cells)


def measured(label, *args):
    done = manage("export_report", *args, timed=True)
    if done.returncode:
        print(done.stdout, done.stderr)
        sys.exit(f"{label}: failed")
    clock = re.search(r"Elapsed \(wall clock\) time.*: ([\d:.]+)", done.stderr)[1]
    wall_s = sum(float(part) * 60**i for i, part in enumerate(reversed(clock.split(":"))))
    rss_mb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)[1]) / 1024
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", done.stderr)[1])
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", done.stderr)[1])
    line = done.stdout.strip().splitlines()[-1]
    budget_s, budget_mb = BUDGETS[label]
    ok = wall_s < budget_s and (budget_mb is None or rss_mb < budget_mb)
    result = {
        "export": label,
        "wall_s": round(wall_s, 1),
        "cpu_s": round(user + system, 1),
        "max_rss_mb": round(rss_mb),
        "budget_s": budget_s,
        "budget_mb": budget_mb,
        "within_budget": ok,
        "command_output": line,
    }
    print("RESULT", json.dumps(result, ensure_ascii=False))
    return result


def main():
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    if what == "seed":
        return seed()
    province, district, cells = units()
    print(f"load average before: {os.getloadavg()}")
    results = []
    if what in ("members", "all"):
        results.append(
            measured(
                "members",
                "--user",
                "vanphong.tinh",
                "--kind",
                "members",
                "--org",
                province,
                "--personal",
                "--out",
                str(ROOT / "bench" / "out" / "members.xlsx"),
            )
        )
    if what in ("monthly", "all"):
        this_month = date.today()  # the modules' figures answer for the current month
        result = measured(
            "monthly",
            "--user",
            "vanphong.tinh",
            "--kind",
            "monthly",
            "--org",
            district,
            "--month",
            f"{this_month:%Y-%m}",
            "--out",
            str(ROOT / "bench" / "out" / "monthly.zip"),
        )
        result["cells"] = cells
        results.append(result)
    print(f"load average after: {os.getloadavg()}")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "exports.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
