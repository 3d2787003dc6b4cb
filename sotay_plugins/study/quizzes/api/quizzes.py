"""/api/v1/quizzes/: the quizzes open to the caller, and their attempts.

    GET   quizzes/                                  quizzes the caller may see (scoped, paginated)
    GET   quizzes/{id}/                             one of them (out of scope: 404)
    GET   quizzes/{id}/attempts/                    the caller's attempts of it
    POST  quizzes/{id}/attempts/                    start (or resume the attempt in progress)
    GET   quizzes/{id}/attempts/{aid}/              the attempt: questions, choices, time left
    PUT   quizzes/{id}/attempts/{aid}/answers/      save answers (PATCH too): an idempotent upsert
    POST  quizzes/{id}/attempts/{aid}/submit/       submit: once; a repeat answers the same result

An open attempt's questions carry the answers' ids and texts only, never which is correct nor
the explanation: those come with the attempt once it is submitted.

Saves and submits may carry ``Idempotency-Key`` (carried out once, however often sent); those the
phone's offline queue replays also carry ``Sotay-Queued: 1`` and are refused (403, nothing
written) unless the quiz allows answering offline (``allow_offline``).
"""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from sotay_plugins import front, idempotency
from sotay_plugins.api import OrgFieldsMixin
from sotay_plugins.orgtree.choices import MemberGroup

from .. import services
from ..models import Quiz, QuizAttempt
from . import fast


class QuizSerializer(OrgFieldsMixin, serializers.ModelSerializer):
    """A quiz. ``state``: upcoming, open or closed now; ``attempts_used`` and ``passed`` are the
    caller's; ``may_start``: the caller may start (or resume) an attempt now."""

    resolution = serializers.IntegerField(source="bank.resolution_id", read_only=True)
    resolution_title = serializers.CharField(source="bank.resolution.title", read_only=True)
    audience = serializers.CharField(source="bank.audience", read_only=True)
    state = serializers.SerializerMethodField()
    excluded_groups = serializers.SerializerMethodField()
    attempts_used = serializers.IntegerField(read_only=True, default=0)
    passed = serializers.BooleanField(read_only=True, default=False)
    may_start = serializers.SerializerMethodField()

    class Meta:
        model = Quiz
        fields = [
            "id",
            "title",
            "intro",
            "resolution",
            "resolution_title",
            "audience",
            "question_count",
            "time_limit_minutes",
            "max_attempts",
            "pass_mark",
            "opens_at",
            "closes_at",
            "state",
            "excluded_groups",
            "exclude_without_smartphone",
            "allow_offline",
            "issuer_org",
            "audience_org",
            "attempts_used",
            "passed",
            "may_start",
        ]
        read_only_fields = fields

    def get_state(self, quiz) -> str:
        return services.state_of(quiz, self.context.get("now"))

    def get_excluded_groups(self, quiz) -> list[str]:
        groups = Quiz._meta.get_field("excluded_groups").to_python(quiz.excluded_groups)
        return [code for code in MemberGroup.values if code in groups]

    def get_may_start(self, quiz) -> bool:
        member = self.context.get("member")
        return bool(
            member is not None
            and not quiz.excludes(member)
            and services.state_of(quiz, self.context.get("now")) == "open"
            and (
                getattr(quiz, "has_open_attempt", False)
                or getattr(quiz, "attempts_used", 0) < quiz.max_attempts
            )
        )


ANSWER_ROW = inline_serializer(
    "QuizAttemptAnswer", {"id": serializers.IntegerField(), "text": serializers.CharField()}
)
QUESTION_ROW = inline_serializer(
    "QuizAttemptQuestion",
    {
        "question": serializers.IntegerField(),
        "position": serializers.IntegerField(),
        "kind": serializers.ChoiceField(choices=["single", "multiple", "true_false"]),
        "text": serializers.CharField(),
        "answers": ANSWER_ROW.__class__(many=True),
        "selected": serializers.ListField(child=serializers.IntegerField()),
        "correct": serializers.BooleanField(required=False),
        "correct_answers": serializers.ListField(child=serializers.IntegerField(), required=False),
        "explanation": serializers.CharField(required=False),
    },
)
ATTEMPT = inline_serializer(
    "QuizAttempt",
    {
        "id": serializers.IntegerField(),
        "quiz": serializers.IntegerField(),
        "number": serializers.IntegerField(),
        "started_at": serializers.DateTimeField(),
        "deadline": serializers.DateTimeField(),
        "seconds_left": serializers.IntegerField(),
        "submitted_at": serializers.DateTimeField(allow_null=True),
        "timed_out": serializers.BooleanField(),
        "state": serializers.ChoiceField(choices=["in_progress", "submitted"]),
        "total": serializers.IntegerField(),
        "score": serializers.IntegerField(allow_null=True),
        "percent": serializers.FloatField(allow_null=True),
        "passed": serializers.BooleanField(allow_null=True),
        "questions": QUESTION_ROW.__class__(many=True, required=False),
    },
)
ATTEMPT_BRIEF = inline_serializer(
    "QuizAttemptBrief",
    {
        "id": serializers.IntegerField(),
        "number": serializers.IntegerField(),
        "started_at": serializers.DateTimeField(),
        "submitted_at": serializers.DateTimeField(allow_null=True),
        "score": serializers.IntegerField(allow_null=True),
        "total": serializers.IntegerField(),
        "percent": serializers.FloatField(allow_null=True),
        "passed": serializers.BooleanField(allow_null=True),
    },
)


ATTEMPTS_PAGE = inline_serializer(
    "PaginatedQuizAttemptBriefList",
    {
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": ATTEMPT_BRIEF.__class__(many=True),
    },
)


class AnswerInput(serializers.Serializer):
    question = serializers.IntegerField()
    selected = serializers.ListField(child=serializers.IntegerField())


class AnswersInput(serializers.Serializer):
    """One answer (``question``, ``selected``) or several (``answers``)."""

    answers = AnswerInput(many=True, required=False)
    question = serializers.IntegerField(required=False)
    selected = serializers.ListField(child=serializers.IntegerField(), required=False)


SAVED = inline_serializer(
    "QuizAnswersSaved",
    {"saved": serializers.IntegerField(), "seconds_left": serializers.IntegerField()},
)


def attempt_data(attempt, with_questions=True, now=None):
    data = {
        "id": attempt.pk,
        "quiz": attempt.quiz_id,
        "number": attempt.number,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "seconds_left": services.seconds_left(attempt, now),
        "submitted_at": attempt.submitted_at,
        "timed_out": attempt.timed_out,
        "state": "in_progress" if attempt.submitted_at is None else "submitted",
        "total": attempt.total,
        "score": attempt.score,
        "percent": float(attempt.percent) if attempt.percent is not None else None,
        "passed": attempt.passed,
    }
    if with_questions:
        data["questions"] = services.attempt_questions(attempt)
    return data


def _raise(exc: services.QuizError):
    body = {"detail": exc.text}
    if exc.field:
        body["fields"] = {exc.field: [exc.text]}
    return Response(body, status=exc.status)


@extend_schema(
    parameters=[
        OpenApiParameter("open", OpenApiTypes.BOOL, description="1: only quizzes open now"),
        OpenApiParameter("resolution", OpenApiTypes.INT, description="one resolution's quizzes"),
    ]
)
class QuizViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Quizzes open to the caller (published, in their audience, not leaving their group out);
    staff see those issued under the units where they keep quizzes. Out of scope: 404."""

    serializer_class = QuizSerializer
    queryset = Quiz.objects.none()
    #: Ids of at most 18 digits (a 64-bit integer): a longer one is no quiz or attempt (404),
    #: never a number the database cannot hold (SQLite refuses it outright).
    lookup_value_regex = "[0-9]{1,18}"

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        """The route of ``answers`` also answers a plain save in front of the middleware
        (``fast.answer``, asked by :class:`sotay_plugins.front.Front`); every other request, and
        every save it does not settle, reaches the view here."""
        view = super().as_view(actions, **initkwargs)
        if actions and set(actions.values()) == {"answers"} and front.applies_to(cls):
            view.fast_answer = fast.answer
        return view

    def _member(self):
        return services.member_of(self.request.user)

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "member": self._member(),
            "now": timezone.now(),
        }

    def get_queryset(self):
        member = self._member()
        # The list leaves out quizzes that exclude the caller's group; asked by id, such a quiz
        # answers with ``may_start: false`` and starting it says why (403).
        qs = (
            services.quizzes_for_member(self.request.user, member)
            if self.action == "list"
            else services.visible_quizzes(self.request.user)
        ).select_related("bank", "bank__resolution")
        if member is not None:
            mine = QuizAttempt.objects.filter(quiz=OuterRef("pk"), member=member)
            used = mine.order_by().values("quiz").annotate(n=Count("pk")).values("n")
            qs = qs.annotate(
                attempts_used=Coalesce(Subquery(used, output_field=IntegerField()), 0),
                passed=Exists(mine.filter(passed=True)),
                has_open_attempt=Exists(mine.filter(submitted_at__isnull=True)),
            )
        if self.action == "list":
            params = self.request.query_params
            if str(params.get("open", "")).lower() in ("1", "true", "yes"):
                qs = qs.filter(services.open_q())
            if params.get("resolution"):
                raw = params["resolution"]
                # an id is a positive 63-bit integer: larger numbers are refused, not sent to the
                # database (SQLite cannot even bind them)
                digits = len(raw) <= 19 and raw.isascii() and raw.isdigit()
                if not (digits and 0 < int(raw) < 2**63):
                    raise exceptions.ValidationError(
                        {"resolution": [_("Cần một mã số (số nguyên).")]}
                    )
                qs = qs.filter(bank__resolution_id=int(raw))
        return qs.order_by("-opens_at", "-pk")

    def get_object(self):
        pk = self.kwargs.get("pk", "")
        if not str(pk).isdigit():
            raise exceptions.NotFound(_("Không tìm thấy."))
        return super().get_object()

    # --- attempts ----------------------------------------------------------------------------
    @extend_schema(methods=["GET"], responses=ATTEMPTS_PAGE)
    @extend_schema(methods=["POST"], request=None, responses={201: ATTEMPT, 200: ATTEMPT})
    @action(detail=True, methods=["get", "post"], url_path="attempts")
    def attempts(self, request, pk=None):
        """GET: the caller's attempts. POST: start one (201), or resume the one in progress
        (200): the server fixes its deadline; the questions come without their correct answers.
        """
        quiz = self.get_object()
        member = self._member()
        if request.method == "GET":
            brief = ("id", "number", "started_at", "submitted_at", "score", "total", "percent")
            page = self.paginate_queryset(services.attempts_summary(quiz, member))
            rows = [
                {
                    k: v
                    for k, v in attempt_data(a, with_questions=False).items()
                    if k in (*brief, "passed")
                }
                for a in page
            ]
            return self.get_paginated_response(rows)
        try:
            attempt, created = services.start(quiz, member)
        except services.QuizError as exc:
            return _raise(exc)
        return Response(
            attempt_data(attempt), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    def _attempt(self, pk, attempt_id):
        attempt = services.attempt_of(self._member(), pk, attempt_id)
        if attempt is None:
            raise exceptions.NotFound(_("Không tìm thấy lượt làm bài."))
        return attempt

    @extend_schema(responses=ATTEMPT, operation_id="quizzes_attempt_retrieve")
    @action(detail=True, methods=["get"], url_path=r"attempts/(?P<attempt_id>[0-9]{1,18})")
    def attempt(self, request, pk=None, attempt_id=None):
        """One of the caller's attempts (an open one past its deadline is closed and graded)."""
        attempt = services.refresh_if_expired(self._attempt(pk, attempt_id))
        return Response(attempt_data(attempt))

    @extend_schema(
        request=AnswersInput,
        responses={200: SAVED, **idempotency.schema_responses()},
        parameters=[idempotency.schema_parameter()],
    )
    @action(
        detail=True,
        methods=["put", "patch"],
        url_path=r"attempts/(?P<attempt_id>[0-9]{1,18})/answers",
    )
    @idempotency.idempotent
    def answers(self, request, pk=None, attempt_id=None):
        """Save answers: ``{"question": id, "selected": [answer ids]}`` or
        ``{"answers": [such objects]}``. Repeating a save changes nothing; ``selected: []``
        clears a question. Refused, with nothing written: a question outside the attempt, an
        answer of another question, a second answer to a one-answer question, a submitted
        attempt, a save after the deadline, a save from the offline queue (``Sotay-Queued``)
        to a quiz that does not allow answering offline."""
        if not str(pk).isdigit():
            raise exceptions.NotFound(_("Không tìm thấy lượt làm bài."))
        try:
            choices = services.parse_answers(request.data)
        except services.QuizError as exc:
            return _raise(exc)
        queued = idempotency.is_queued(request)
        # The common case: one statement (PostgreSQL), unless the front already tried it; a
        # replay from the offline queue takes the full path (the quiz must allow it).
        if len(choices) == 1 and not queued and not front.tried(request):
            left = services.save_one_fast(request.user.pk, int(pk), int(attempt_id), choices[0])
            if left is not None:
                return Response({"saved": 1, "seconds_left": left})
        member = self._member()
        if member is None:
            raise exceptions.NotFound(_("Không tìm thấy lượt làm bài."))
        try:
            saved, left = services.save_answers(
                int(attempt_id), member.pk, choices, quiz_id=int(pk), queued=queued
            )
        except services.QuizError as exc:
            return _raise(exc)
        return Response({"saved": saved, "seconds_left": left})

    @extend_schema(
        request=None,
        responses={200: ATTEMPT, **idempotency.schema_responses()},
        parameters=[idempotency.schema_parameter()],
    )
    @action(detail=True, methods=["post"], url_path=r"attempts/(?P<attempt_id>[0-9]{1,18})/submit")
    @idempotency.idempotent
    def submit(self, request, pk=None, attempt_id=None):
        """Submit the attempt. Once: a second submit (another tab, a retry) answers 200 with the
        same result and changes nothing. The answer now carries the score, pass or fail, and
        each question's correct answers and explanation. From the offline queue
        (``Sotay-Queued``): only for a quiz that allows answering offline."""
        member = self._member()
        if member is None or not str(pk).isdigit():
            raise exceptions.NotFound(_("Không tìm thấy lượt làm bài."))
        try:
            attempt, _won = services.submit(
                int(attempt_id), member.pk, quiz_id=int(pk), queued=idempotency.is_queued(request)
            )
        except services.QuizError as exc:
            return _raise(exc)
        return Response(attempt_data(attempt))
