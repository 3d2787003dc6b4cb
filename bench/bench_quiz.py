"""Quizzes on the busiest day (issue 13's budgets): 20,000 members submitting the same quiz,
every answer stored exactly once; p95 of a submission at 200 concurrent clients; p95 of saving
an answer; each against the bare view measured in the same run and server.

    python bench/bench_quiz.py seed  [--scale province]   # recreate sotay_bench_quiz
    python bench/bench_quiz.py run   [--members 20000] [--config sync:5]
                                     [--connections 200] [--save-seconds 20]
    python bench/bench_quiz.py queries                    # SQL of one save and one submit

``seed`` drops and recreates ``sotay_bench_quiz`` (DATABASE_URL's server; the name must start
with sotay_bench), migrates and runs ``seed_demo``.

``run``:
 1. makes the bench quiz ("[bench] …", its earlier attempts deleted): the demo's bank of
    Resolution 52-NQ/TW (made here, with the resolution, if the demo did not), 10 questions,
    one attempt each, open now for an hour, nobody excluded;
 2. starts an attempt for each of ``--members`` random members with an account (in bulk, as
    ``services.start`` would leave it: 10 drawn questions, answers shuffled) and gives each an
    API token; a share of them (``--answered``, default 0.6) already answered right, so that
    their submissions pass (the QuizPass row, the study's completion, the points ledger);
    writes two job files: one save per (attempt, question) — a random answer of that
    question — and one submit per attempt, both shuffled;
 3. starts gunicorn (``bench.settings``: production + the bare view; Redis db 7 as the cache;
    ``--config``, default 5 sync workers as site/deploy/gunicorn.conf.py) and nginx in front
    of it (``--front``), then runs wrk (``bench/quiz.lua``) against nginx in this order: the
    bare view (``-d<save-seconds>``), saves for ``--save-seconds``, submits until every
    attempt was submitted once (threads then start their lines over: the repeats are second
    submits, the "other tab"), the bare view again;
 4. checks exactly once: every (attempt, question) row exists once (10 per attempt; the table's
    unique constraint), each answered row holds the answer of its save (or, no save reached it,
    the one given beforehand); one ledger line per pass; every attempt is
    submitted, its score equals the number of its rows graded correct, QuizPass rows equal the
    passed attempts; every submit answered 200 (no 409/500), and how many were repeats.
Output: bench/out/quiz_*.txt and RESULT lines.
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import benchlib
from benchlib import ROOT, load

OUT = ROOT / "bench" / "out"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/sotay_bench_quiz"
SECRET = "bench-quiz-not-a-secret-" + os.uname().nodename
TITLE = "[bench] Kiểm tra Nghị quyết 52-NQ/TW"
PORT = 18813
FRONT_PORT = 18814  # nginx (``--front nginx``, the default), as in production
TARGET = f"http://127.0.0.1:{PORT}"


def env(redis=True):
    e = dict(os.environ)
    e.setdefault("DATABASE_URL", DEFAULT_DB)
    e.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_LOG_LEVEL="WARNING",
    )
    e.pop("DJANGO_DEBUG", None)
    if redis:
        e["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    else:
        e.pop("REDIS_URL", None)
    return e


def cmd_seed(args):
    url = benchlib.recreate_database(DEFAULT_DB)
    e = env(redis=False)
    e["DATABASE_URL"] = url
    e["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=e, check=True
    )
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--scale", args.scale, "--seed", "1"],
        cwd=ROOT,
        env=e,
        check=True,
    )
    print(f"== seeded {args.scale} in {time.perf_counter() - started:.1f} s")


# --- the quiz and its attempts -------------------------------------------------------------------


def bench_quiz():
    from datetime import timedelta

    from django.utils import timezone
    from wagtail.models import Page

    from sotay_plugins.orgtree.models import Organisation
    from sotay_plugins.study.quizzes import demo, services
    from sotay_plugins.study.quizzes.demo_questions import QUESTIONS
    from sotay_plugins.study.quizzes.models import AttemptQuestion, Quiz, QuizAttempt, QuizPass
    from sotay_plugins.study.resolutions.models import ResolutionPage, StudyIndexPage

    province = Organisation.objects.filter(kind="province", is_active=True).order_by("pk").first()
    page = ResolutionPage.objects.filter(number="52-NQ/TW").first()
    if page is None:  # the resolutions' demo did not run (a branch without it)
        index = StudyIndexPage.objects.first() or Page.get_first_root_node().add_child(
            instance=StudyIndexPage(title="Học tập nghị quyết", slug="hoc-tap-bench", live=True)
        )
        page = index.add_child(
            instance=ResolutionPage(
                title="Về một số chủ trương, chính sách chủ động tham gia cuộc CMCN lần thứ tư",
                slug="nq-52-bench",
                number="52-NQ/TW",
                issued_on="2019-09-27",
                issued_by="Bộ Chính trị",
                summary="Nghị quyết số 52-NQ/TW ngày 27/9/2019 của Bộ Chính trị",
                issuer_org=province,
                audience_org=province,
                live=True,
            )
        )
    bank = demo._bank(page, province, "dang_vien", "Nghị quyết 52-NQ/TW — đảng viên", QUESTIONS)
    old = Quiz.objects.filter(title=TITLE)
    QuizPass.objects.filter(quiz__in=old).delete()
    AttemptQuestion.objects.filter(attempt__quiz__in=old).delete()
    QuizAttempt.objects.filter(quiz__in=old).delete()
    old.delete()
    now = timezone.now()
    quiz = Quiz.objects.create(
        bank=bank,
        title=TITLE,
        issuer_org=province,
        audience_org=province,
        question_count=10,
        time_limit_minutes=60,
        max_attempts=1,
        pass_mark=70,
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(hours=2),
        published=True,
        exclude_without_smartphone=False,
    )
    return quiz, services


def start_attempts(quiz, count, seed, answered=0.0):
    """One attempt per member as ``services.start`` makes it, in bulk; returns the job lines and
    what was answered beforehand. A share ``answered`` of the attempts comes with every question
    already answered right (members who answered before the rush and submit in it): their
    submissions pass, and so exercise the pass's own work (the QuizPass row, the study's
    completion, the points ledger)."""
    from django.db import transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from sotay_plugins.members.models import Member
    from sotay_plugins.study.quizzes.models import Answer, AttemptQuestion, Question, QuizAttempt

    rng = random.Random(seed)
    members = list(
        Member.objects.filter(status="active", user__is_active=True).values_list("pk", "user_id")
    )
    members = rng.sample(members, min(count, len(members)))
    questions = list(Question.objects.filter(bank=quiz.bank).values_list("pk", flat=True))
    answers, correct = {}, {}
    for qid, aid, ok in Answer.objects.filter(question_id__in=questions).values_list(
        "question_id", "pk", "is_correct"
    ):
        answers.setdefault(qid, []).append(aid)
        if ok:
            correct.setdefault(qid, []).append(aid)
    started = time.perf_counter()
    with transaction.atomic():
        Token.objects.filter(key="").delete()
        have = set(
            Token.objects.filter(user_id__in=[u for _m, u in members]).values_list(
                "user_id", flat=True
            )
        )
        Token.objects.bulk_create(
            [Token(user_id=u, key=Token.generate_key()) for _m, u in members if u not in have],
            batch_size=2000,
        )
        keys = dict(
            Token.objects.filter(user_id__in=[u for _m, u in members]).values_list("user_id", "key")
        )
        now = timezone.now()
        attempts = QuizAttempt.objects.bulk_create(
            [
                QuizAttempt(
                    quiz=quiz,
                    member_id=m,
                    number=1,
                    started_at=now,
                    deadline=now + timezone.timedelta(minutes=quiz.time_limit_minutes),
                    total=10,
                )
                for m, _u in members
            ],
            batch_size=2000,
        )
        items, saves, submits, prefilled = [], [], [], {}
        for attempt, (_m, user_id) in zip(attempts, members, strict=True):
            key = keys[user_id]
            ready = rng.random() < answered
            for position, qid in enumerate(rng.sample(questions, 10), start=1):
                order = list(answers[qid])
                rng.shuffle(order)
                selected = sorted(correct[qid]) if ready else None
                if ready:
                    prefilled[(attempt.pk, qid)] = selected
                items.append(
                    AttemptQuestion(
                        attempt=attempt,
                        question_id=qid,
                        position=position,
                        answer_order=order,
                        selected=selected,
                        answered_at=now if ready else None,
                    )
                )
                saves.append(f"{key}\t{quiz.pk}\t{attempt.pk}\t{qid}\t{rng.choice(order)}")
            submits.append(f"{key}\t{quiz.pk}\t{attempt.pk}")
        AttemptQuestion.objects.bulk_create(items, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:  # the planner should know the tables just filled
        cursor.execute("ANALYZE study_quizattempt, study_attemptquestion")
    rng.shuffle(saves)
    rng.shuffle(submits)
    print(
        f"== {len(attempts)} attempts started (bulk) in {time.perf_counter() - started:.1f} s, "
        f"{len({a for a, _q in prefilled})} of them answered beforehand"
    )
    return saves, submits, prefilled


# --- gunicorn and wrk -----------------------------------------------------------------------------


def gunicorn(config):
    kind, _, size = config.partition(":")
    workers, _x, threads = size.partition("x")
    cmd = [
        str(Path(sys.executable).with_name("gunicorn")),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{PORT}",
        "--log-level",
        "warning",
        "--backlog",
        "4096",
        "--workers",
        workers,
        # Members pause between two answers (--save-rate, --submit-rate): their connections
        # stay open as nginx keeps them, instead of gunicorn's 2-second default closing them
        # (a reconnecting wrk connection sends at once, without its pause).
        "--keep-alive",
        "75",
    ]
    if kind == "gthread":
        cmd += ["--worker-class", "gthread", "--threads", threads or "4"]
    log = open(OUT / "quiz_gunicorn.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    for _ in range(120):
        try:
            subprocess.run(
                ["curl", "-sS", "-o", "/dev/null", f"http://127.0.0.1:{PORT}/bench/bare/"],
                check=True,
                capture_output=True,
                timeout=5,
            )
            break
        except subprocess.SubprocessError:
            time.sleep(0.5)
    if proc.poll() is not None:
        sys.exit("gunicorn did not start: see bench/out/quiz_gunicorn.log")
    return proc


def wrk(name, seconds, connections, jobs=None, mode=None, rate=0):
    """wrk on ``connections``; with ``rate`` (requests/s offered, 0: as fast as the server
    answers) each connection pauses ``connections / rate`` seconds before its next request."""
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    e = dict(os.environ, WRK_THREADS="2", SOTAY_MODE="bare")
    e["SOTAY_DELAY_MS"] = str(round(connections / rate * 1000)) if rate else "0"
    cmd += ["-s", str(ROOT / "bench" / "quiz.lua")]
    url = TARGET
    if jobs is not None:
        path = OUT / f"quiz_{name}.tsv"
        path.write_text("\n".join(jobs) + "\n")
        for old in OUT.glob(f"quiz_resp_{name}.*.txt"):
            old.unlink()
        e.update(SOTAY_JOBS=str(path), SOTAY_MODE=mode, SOTAY_RESP=str(OUT / f"quiz_resp_{name}"))
    before = load()
    text = subprocess.run([*cmd, url], env=e, capture_output=True, text=True, check=True).stdout
    (OUT / f"quiz_wrk_{name}.txt").write_text(text)
    rps = float(
        next(line.split()[1] for line in text.splitlines() if line.startswith("Requests/sec"))
    )
    p = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("50%", "90%", "99%"):
            p[parts[0]] = parts[1]
        if line.startswith("P95_MS"):
            p["95%"] = parts[1] + "ms"
    statuses = {}
    if jobs is not None:
        for f in OUT.glob(f"quiz_resp_{name}.*.txt"):
            for line in f.read_text().splitlines():
                status = line.split()[0]
                statuses[status] = statuses.get(status, 0) + 1
    print(
        f"== {name}: {rps:.1f} req/s, latency {p}, statuses {statuses} ({before}; after: {load()})"
    )
    return rps, p, statuses, text


def cmd_run(args):
    benchlib.django_setup(env(), ("DJANGO_SECURE_SSL_REDIRECT",))
    OUT.mkdir(exist_ok=True)
    quiz, services = bench_quiz()
    saves, submits, prefilled = start_attempts(quiz, args.members, seed=7, answered=args.answered)
    global TARGET
    proc = gunicorn(args.config)
    front = None
    if args.front == "nginx":
        front = benchlib.nginx_front(FRONT_PORT, PORT, OUT / "nginx")
        if front is None:
            sys.exit("nginx is not installed (apt-get install nginx-light), or use --front none")
        TARGET = f"http://127.0.0.1:{FRONT_PORT}"
    print(f"== wrk -> {TARGET} ({args.front} in front of gunicorn {args.config})")
    results = {}
    try:
        results["bare1"] = wrk("bare1", args.save_seconds, args.connections)
        results["save"] = wrk(
            "save", args.save_seconds, args.connections, saves, "save", args.save_rate
        )
        if args.save_connections != args.connections:
            results["save_low"] = wrk(
                "save_low", args.save_seconds, args.save_connections, saves[::-1], "save"
            )
        # long enough for every attempt once at the expected rate; repeats after that
        seconds = args.submit_seconds
        started = time.perf_counter()
        results["submit"] = wrk(
            "submit", seconds, args.connections, submits, "submit", args.submit_rate
        )
        elapsed = time.perf_counter() - started
        results["bare2"] = wrk("bare2", args.save_seconds, args.connections)
    finally:
        benchlib.stop_nginx(front)
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    check(quiz, saves, prefilled, results, elapsed)


def check(quiz, saves, prefilled, results, elapsed):
    from django.db.models import Count, Q

    from sotay_plugins.study.points.models import PointLine
    from sotay_plugins.study.quizzes.models import AttemptQuestion, QuizAttempt, QuizPass

    attempts = QuizAttempt.objects.filter(quiz=quiz)
    n = attempts.count()
    submitted = attempts.filter(submitted_at__isnull=False).count()
    rows = AttemptQuestion.objects.filter(attempt__quiz=quiz)
    per_attempt = set(rows.values("attempt").annotate(c=Count("pk")).values_list("c", flat=True))
    wrong_score = (
        attempts.filter(submitted_at__isnull=False)
        .annotate(ok=Count("items", filter=Q(items__correct=True)))
        .exclude(score=models_F("ok"))
        .count()
    )
    passes = QuizPass.objects.filter(quiz=quiz).count()
    points = PointLine.objects.filter(source=f"study.quiz:{quiz.pk}").count()
    passed = attempts.filter(passed=True).count()
    # every row a save reached holds that save's answer
    wanted = {}
    for line in saves:
        _k, _q, attempt, question, answer = line.split("\t")
        wanted[(int(attempt), int(question))] = int(answer)
    mismatched = 0
    answered = 0
    for attempt, question, selected in rows.filter(selected__isnull=False).values_list(
        "attempt_id", "question_id", "selected"
    ):
        answered += 1
        # the answer of the save that reached it, or (no save did) the one given beforehand
        if selected != [wanted.get((attempt, question))] and selected != prefilled.get(
            (attempt, question)
        ):
            mismatched += 1
    submit_statuses = results["submit"][2]
    summary = {
        "attempts": n,
        "submitted": submitted,
        "rows_per_attempt": sorted(per_attempt),
        "answers_stored": answered,
        "answers_mismatched": mismatched,
        "score_mismatches": wrong_score,
        "passed": passed,
        "quiz_passes": passes,
        "point_lines": points,
        "submit_statuses": submit_statuses,
        "submit_repeats": sum(submit_statuses.values()) - n,
        "submit_seconds": round(elapsed, 1),
        "bare_rps": [round(results["bare1"][0], 1), round(results["bare2"][0], 1)],
        "save": {
            "rps": round(results["save"][0], 1),
            "latency": results["save"][1],
            "statuses": results["save"][2],
        },
        "submit": {"rps": round(results["submit"][0], 1), "latency": results["submit"][1]},
    }
    if "save_low" in results:
        summary["save_low"] = {
            "rps": round(results["save_low"][0], 1),
            "latency": results["save_low"][1],
        }
    bare = sum(summary["bare_rps"]) / 2
    summary["ratio_submit_to_bare"] = round(results["submit"][0] / bare, 3)
    summary["ratio_save_to_bare"] = round(results["save"][0] / bare, 3)
    print("RESULT " + json.dumps(summary, ensure_ascii=False))
    (OUT / "quiz_result.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2))


def models_F(name):
    from django.db.models import F

    return F(name)


def cmd_queries(args):
    benchlib.django_setup(env(), ("DJANGO_SECURE_SSL_REDIRECT",))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    quiz, services = bench_quiz()
    saves, submits, _prefilled = start_attempts(quiz, 1, seed=11, answered=1.0)
    _k, _q, attempt, question, answer = saves[0].split("\t")
    member_id = quiz.attempts.get(pk=attempt).member_id
    with CaptureQueriesContext(connection) as save_q:
        services.save_answers(
            int(attempt), member_id, [services.Choice(int(question), (int(answer),))]
        )
    with CaptureQueriesContext(connection) as submit_q:
        services.submit(int(attempt), member_id)
    for label, ctx in (("save", save_q), ("submit", submit_q)):
        print(f"== {label}: {len(ctx.captured_queries)} queries")
        for q in ctx.captured_queries:
            print("   ", q["time"], q["sql"][:160])


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("seed")
    s.add_argument("--scale", default="province")
    r = sub.add_parser("run")
    r.add_argument("--members", type=int, default=20000)
    # sync:5 is production's (site/deploy/gunicorn.conf.py: 2 x cores + 1 sync workers behind
    # nginx); gthread:WxT threaded workers.
    r.add_argument("--config", default="sync:5")
    r.add_argument("--connections", type=int, default=200)
    r.add_argument("--save-connections", type=int, default=200)
    r.add_argument("--save-seconds", type=int, default=20)
    r.add_argument("--submit-seconds", type=int, default=90)
    # The offered load of the budget (20,000 members, 10 answers each, within 10 minutes):
    # --save-rate 334 --submit-rate 34. 0 (the default): back to back, the server's limit.
    r.add_argument("--save-rate", type=float, default=0)
    r.add_argument("--submit-rate", type=float, default=0)
    # Share of the attempts answered right before the run (their submissions pass: QuizPass,
    # study completion, points); the rest are answered by the saves phase, or not at all.
    r.add_argument("--answered", type=float, default=0.6)
    # nginx in front (production's shape, site/deploy/): wrk's connections are nginx's clients.
    # "none": wrk talks to gunicorn directly (members who connect and send later then hold its
    # threads: see benchlib.NGINX_CONF).
    r.add_argument("--front", choices=["nginx", "none"], default="nginx")
    sub.add_parser("queries")
    args = parser.parse_args()
    {"seed": cmd_seed, "run": cmd_run, "queries": cmd_queries}[args.cmd](args)


if __name__ == "__main__":
    main()
