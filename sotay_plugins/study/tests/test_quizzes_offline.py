"""Quiz answers given with no network (issue 18: "quiz answers where a quiz allows it"): the
phone's offline queue replays them with ``Idempotency-Key`` and ``Sotay-Queued: 1``. Each key is
carried out once, a later answer wins over an earlier one, the server's clock still refuses what
arrives late, a quiz that needs the network refuses them, and nobody answers another's attempt.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from sotay_plugins.models import IdempotencyKey
from sotay_plugins.study.quizzes.admin.forms import QuizForm
from sotay_plugins.study.quizzes.models import AttemptQuestion, Quiz, QuizAttempt

from .quiz_helpers import correct_ids, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree):
    data = world(tree)
    data["quiz"].allow_offline = True
    data["quiz"].save(update_fields=["allow_offline"])
    return data


def url(q, *parts):
    tail = "/".join(str(p) for p in parts)
    return f"/api/v1/quizzes/{q.pk}/" + (f"{tail}/" if tail else "")


def start(api, member, q):
    api.force_authenticate(member.user)
    response = api.post(url(q, "attempts"), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def queued(api, method, path, body, key):
    """What the service worker sends when it flushes its queue."""
    headers = {"Idempotency-Key": key, "Sotay-Queued": "1"}
    return getattr(api, method)(path, body, format="json", headers=headers)


def selected(attempt_id, question_id):
    return AttemptQuestion.objects.get(attempt_id=attempt_id, question_id=question_id).selected


def test_a_queued_answer_sent_twice_is_saved_once(api, w):
    data = start(api, w["a"], w["quiz"])
    q = data["questions"][0]
    path = url(w["quiz"], "attempts", data["id"], "answers")
    body = {"question": q["question"], "selected": [q["answers"][-1]["id"]]}
    first = queued(api, "put", path, body, "answer-key-000001")
    assert first.status_code == 200, first.content
    row = AttemptQuestion.objects.get(attempt_id=data["id"], question_id=q["question"])
    assert row.selected == [q["answers"][-1]["id"]]
    # the answer was lost on the way back: the queue sends the same entry again
    again = queued(api, "put", path, body, "answer-key-000001")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert AttemptQuestion.objects.get(pk=row.pk).answered_at == row.answered_at  # not rerun
    assert IdempotencyKey.objects.filter(user=w["a"].user).count() == 1


def test_queued_answers_apply_in_order_and_a_resent_earlier_one_never_overrides(api, w):
    data = start(api, w["a"], w["quiz"])
    q = data["questions"][0]
    path = url(w["quiz"], "attempts", data["id"], "answers")
    earlier = {"question": q["question"], "selected": [q["answers"][0]["id"]]}
    later = {"question": q["question"], "selected": [q["answers"][1]["id"]]}
    assert queued(api, "put", path, earlier, "order-key-000001").status_code == 200
    assert queued(api, "put", path, later, "order-key-000002").status_code == 200
    assert selected(data["id"], q["question"]) == [q["answers"][1]["id"]]
    # the earlier entry arrives once more (a retry after a lost answer): the later one stays
    replay = queued(api, "put", path, earlier, "order-key-000001")
    assert replay["Idempotent-Replayed"] == "true"
    assert selected(data["id"], q["question"]) == [q["answers"][1]["id"]]


def test_a_queued_submit_after_the_answers_grades_them_once(api, w):
    data = start(api, w["a"], w["quiz"])
    path = url(w["quiz"], "attempts", data["id"], "answers")
    for i, q in enumerate(data["questions"]):
        body = {"question": q["question"], "selected": correct_ids(q["question"])}
        assert queued(api, "put", path, body, f"all-right-key-{i:04}").status_code == 200
    submit = url(w["quiz"], "attempts", data["id"], "submit")
    graded = queued(api, "post", submit, {}, "submit-key-000001")
    assert graded.status_code == 200, graded.content
    assert graded.json()["score"] == 5 and graded.json()["passed"] is True
    again = queued(api, "post", submit, {}, "submit-key-000001")
    assert again["Idempotent-Replayed"] == "true" and again.json() == graded.json()
    attempt = QuizAttempt.objects.get(pk=data["id"])
    assert attempt.score == 5 and not attempt.timed_out
    # an answer still in the queue after the submit is refused: the attempt is closed
    q = data["questions"][0]
    late = queued(
        api, "put", path, {"question": q["question"], "selected": []}, "after-submit-0001"
    )
    assert late.status_code == 409 and "đã nộp" in late.json()["detail"].lower()
    assert selected(data["id"], q["question"]) == correct_ids(q["question"])


def test_queued_answers_arriving_after_the_deadline_are_refused_for_good(api, w):
    data = start(api, w["a"], w["quiz"])
    q = data["questions"][0]
    path = url(w["quiz"], "attempts", data["id"], "answers")
    body = {"question": q["question"], "selected": [q["answers"][0]["id"]]}
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=10)):
        late = queued(api, "put", path, body, "late-answer-00001")
    assert late.status_code == 409
    assert late.json()["detail"] == (
        "Đã hết giờ làm bài; câu trả lời gửi sau giờ nộp không được ghi nhận."
    )
    # a refusal, not "still running": the queue must not try it again
    assert "Retry-After" not in late
    assert selected(data["id"], q["question"]) is None
    assert not IdempotencyKey.objects.exists()
    # within the grace the answer still counts (the network delay of the last second)
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=1)):
        just = queued(api, "put", path, body, "just-in-time-0001")
    assert just.status_code == 200


def test_a_quiz_that_needs_the_network_refuses_what_was_queued_offline(api, w):
    quiz = w["quiz"]
    quiz.allow_offline = False
    quiz.save(update_fields=["allow_offline"])
    data = start(api, w["a"], quiz)
    q = data["questions"][0]
    path = url(quiz, "attempts", data["id"], "answers")
    body = {"question": q["question"], "selected": [q["answers"][0]["id"]]}
    refused = queued(api, "put", path, body, "needs-net-key-001")
    assert refused.status_code == 403
    assert "cần có mạng" in refused.json()["detail"]
    submit = queued(api, "post", url(quiz, "attempts", data["id"], "submit"), {}, "needs-net-0002")
    assert submit.status_code == 403 and "cần có mạng" in submit.json()["detail"]
    assert selected(data["id"], q["question"]) is None
    assert QuizAttempt.objects.get(pk=data["id"]).submitted_at is None
    assert not IdempotencyKey.objects.exists()
    # the same answer sent online (the page's own save) is taken as always
    assert api.put(path, body, format="json").status_code == 200
    assert selected(data["id"], q["question"]) == [q["answers"][0]["id"]]


def test_nobody_answers_or_submits_another_members_attempt_from_a_queue(api, w):
    data = start(api, w["a"], w["quiz"])
    q = data["questions"][0]
    path = url(w["quiz"], "attempts", data["id"], "answers")
    body = {"question": q["question"], "selected": [q["answers"][0]["id"]]}
    api.force_authenticate(w["b"].user)  # sees the quiz too (another cell of district 1)
    assert queued(api, "put", path, body, "not-mine-key-0001").status_code == 404
    submit = url(w["quiz"], "attempts", data["id"], "submit")
    assert queued(api, "post", submit, {}, "not-mine-key-0002").status_code == 404
    api.force_authenticate(w["far"].user)  # outside the quiz's audience
    assert queued(api, "put", path, body, "far-away-key-0001").status_code == 404
    assert selected(data["id"], q["question"]) is None
    assert QuizAttempt.objects.get(pk=data["id"]).submitted_at is None
    assert not IdempotencyKey.objects.exists()


def test_bad_queued_answers_are_refused_in_vietnamese_and_keep_no_key(api, w):
    data = start(api, w["a"], w["quiz"])
    path = url(w["quiz"], "attempts", data["id"], "answers")
    q = data["questions"][0]
    for i, bad in enumerate(({"question": "một"}, {"question": q["question"], "selected": "1"})):
        response = queued(api, "put", path, bad, f"bad-body-key-{i:04}")
        assert response.status_code == 400 and response.json()["detail"]
    junk_key = queued(api, "put", path, {"question": q["question"]}, "short")
    assert junk_key.status_code == 400 and "không hợp lệ" in junk_key.json()["detail"]
    assert not IdempotencyKey.objects.exists()
    assert selected(data["id"], q["question"]) is None


def test_the_offline_setting_is_the_editors_and_off_by_default(client, api, w, tree):
    assert Quiz._meta.get_field("allow_offline").default is False
    assert Quiz._meta.get_field("allow_offline").verbose_name == "cho phép trả lời khi mất mạng"
    assert "allow_offline" in QuizForm.Meta.fields
    client.force_login(w["editor"])
    page = client.get(reverse("quiz_quizzes:add"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "cho phép trả lời khi mất mạng" in html.lower() or "Cho phép trả lời" in html
    assert "tự gửi khi có mạng trở lại" in html
    # the member's API says whether a quiz may be answered offline
    api.force_authenticate(w["a"].user)
    assert api.get(url(w["quiz"])).json()["allow_offline"] is True


def test_an_offline_quiz_shows_every_question_on_one_page_and_no_correct_answer(client, api, w):
    data = start(api, w["a"], w["quiz"])
    client.force_login(w["a"].user)
    page = client.get(f"/hoc-tap/kiem-tra/{w['quiz'].pk}/lan/{data['id']}/")
    html = page.content.decode()
    assert page.status_code == 200
    for q in data["questions"]:
        assert f'name="q{q["question"]}"' in html
    assert 'data-offline="1"' in html and "làm được cả khi mất mạng" in html
    assert "Giải thích" not in html and "is_correct" not in html
    # what the phone keeps for reading offline names no quiz and no answer
    manifest = client.get("/api/v1/offline/manifest/")
    assert manifest.status_code == 200
    kept = json.dumps(manifest.json(), ensure_ascii=False)
    assert "kiem-tra" not in kept and "/quizzes/" not in kept
    for q in data["questions"]:
        assert all(a["text"] not in kept for a in q["answers"] if len(a["text"]) > 4)


def test_a_quiz_that_needs_the_network_keeps_its_pages_and_says_so(client, api, w):
    quiz = w["quiz"]
    quiz.allow_offline = False
    quiz.save(update_fields=["allow_offline"])
    data = start(api, w["a"], quiz)
    client.force_login(w["a"].user)
    html = client.get(f"/hoc-tap/kiem-tra/{quiz.pk}/lan/{data['id']}/").content.decode()
    assert 'data-offline="1"' not in html
    assert "cần có mạng khi làm bài" in html  # the page's message when the network goes
