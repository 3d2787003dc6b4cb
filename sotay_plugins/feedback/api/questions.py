"""/api/v1/questions/: Q&A (hỏi đáp). A member lists their own questions and the published
answers within their committees' scope (``?faq=1``: only those), and asks (POST) their base
committee. Those who answer (``feedback.answer`` at the committee) see the committee's questions
and answer them (``answer``, with ``publish``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from sotay_plugins.api import OrgFieldsMixin
from sotay_plugins.orgtree import scope

from .. import services
from ..models import ANSWER, Question

VI = {
    "required": gettext_lazy("Trường này là bắt buộc."),
    "null": gettext_lazy("Trường này không được để trống."),
    "blank": gettext_lazy("Trường này không được để trống."),
    "invalid": gettext_lazy("Giá trị không hợp lệ."),
    "max_length": gettext_lazy("Quá dài: tối đa {max_length} ký tự."),
}


class QuestionSerializer(OrgFieldsMixin, serializers.ModelSerializer):
    """A question; ``mine``: asked by the caller. The asker is never named in a published FAQ."""

    committee_name = serializers.CharField(source="issuer_org.name", read_only=True)
    mine = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = [
            "id",
            "title",
            "text",
            "asked_on",
            "answer",
            "answered_at",
            "is_published",
            "published_at",
            "issuer_org",
            "audience_org",
            "committee_name",
            "mine",
        ]
        read_only_fields = fields

    def get_mine(self, question) -> bool:
        member = self.context.get("member")
        return bool(member and question.asker_id == member.pk)


class AskSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, error_messages=VI)
    text = serializers.CharField(trim_whitespace=False, error_messages=VI)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(trim_whitespace=False, error_messages=VI)
    publish = serializers.BooleanField(default=False)


@extend_schema(
    parameters=[OpenApiParameter("faq", OpenApiTypes.BOOL, description="1: only published answers")]
)
class QuestionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = QuestionSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "member": services.current_member(self.request.user),
        }

    def get_queryset(self):
        qs = scope.visible_to(self.request.user, Question.objects.all()).select_related(
            "issuer_org"
        )
        if self.action == "list" and str(self.request.query_params.get("faq", "")).lower() in (
            "1",
            "true",
        ):
            qs = qs.filter(is_published=True)
        return qs.order_by("-asked_on", "-pk")

    @extend_schema(request=AskSerializer, responses={201: QuestionSerializer})
    def create(self, request, *args, **kwargs):
        serializer = AskSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            question = services.ask(
                services.current_member(request.user), **serializer.validated_data
            )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from None
        return Response(
            QuestionSerializer(question, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=AnswerSerializer, responses=QuestionSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Answer (and publish to every member under the committee: ``publish``)."""
        question = self.get_object()
        if not scope.can(request.user, ANSWER, question.issuer_org):
            raise exceptions.NotFound(_("Không tìm thấy."))
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            question = services.answer(
                request.user,
                question,
                serializer.validated_data["answer"],
                publish=serializer.validated_data["publish"],
            )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from None
        return Response(QuestionSerializer(question, context=self.get_serializer_context()).data)
