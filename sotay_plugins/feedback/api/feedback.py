"""/api/v1/feedback/: the member's side (CONTRACT.md: ``receivers/`` and ``POST feedback/``),
and /api/v1/feedback-inbox/: the handlers' side.

The member lists and opens only their own feedback (shown, or hidden: found through the escrow's
keyed tag), follows its thread and replies. Handlers reach only feedback sent to a unit they
handle (``services.handled_receiver_ids``); anything else answers 404. No response of either
side ever carries the author of hidden feedback.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from sotay_plugins import files as shared_files
from sotay_plugins import uploads

from .. import attachments, services
from ..models import Custodianship, Entry, Feedback, Receiver, RevealRequest

VI = {
    "required": gettext_lazy("Trường này là bắt buộc."),
    "null": gettext_lazy("Trường này không được để trống."),
    "blank": gettext_lazy("Trường này không được để trống."),
    "invalid": gettext_lazy("Giá trị không hợp lệ."),
    "max_length": gettext_lazy("Quá dài: tối đa {max_length} ký tự."),
}
UUID = "[0-9a-fA-F-]{32,36}"


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = gettext_lazy("Dữ liệu gửi lên quá lớn.")
    default_code = "too_large"


def refuse_oversized(request):
    """Refuse a body over ``FEEDBACK_MAX_REQUEST`` from its Content-Length, before anything
    reads it (a 500 MB video is never parsed, stored or held in memory)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = attachments.max_request()
    if length > limit:
        from django.template.defaultfilters import filesizeformat

        raise RequestTooLarge(
            _("Dữ liệu gửi lên quá lớn (%(size)s). Tối đa %(max)s mỗi lần gửi.")
            % {"size": filesizeformat(length), "max": filesizeformat(limit)}
        )


class ReceiverSerializer(serializers.ModelSerializer):
    class Meta:
        model = Receiver
        fields = ["id", "name"]


class ReceiverListView(APIView):
    """Units the caller may send feedback to (CONTRACT.md): their committees and advisory bodies,
    nearest first. ``small_cell``: the number of members of the caller's cell when it is so
    small that hiding one's name means little (else null)."""

    @extend_schema(
        responses=inline_serializer(
            "FeedbackReceivers",
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "small_cell": serializers.IntegerField(allow_null=True),
                "results": ReceiverSerializer(many=True),
            },
        )
    )
    def get(self, request):
        from sotay_plugins.api import Pagination

        member = services.current_member(request.user)
        paginator = Pagination()
        page = paginator.paginate_queryset(services.receivers_for(member), request, view=self)
        response = paginator.get_paginated_response(ReceiverSerializer(page, many=True).data)
        response.data["small_cell"] = services.small_cell(member)
        return response


class AttachmentSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()


def _attachments(feedback):
    # just sent: the rows ``services.send`` stored (in the order of their ids), not read back
    rows = getattr(feedback, "stored_attachments", None)
    return [
        {
            "number": n,
            "kind": a.kind,
            "name": a.name,
            "size": a.size,
            "content_type": a.content_type,
        }
        for n, a in enumerate(feedback.attachments.all() if rows is None else rows, start=1)
    ]


class EntrySerializer(serializers.ModelSerializer):
    """A line of the thread. ``by``: "author" (the sender, never named), or the unit's name;
    ``kind``: reply, author, progress, assigned, forwarded, closed, flagged, cleared, revealed."""

    by = serializers.SerializerMethodField()
    kind = serializers.CharField(read_only=True)

    class Meta:
        model = Entry
        fields = ["seq", "kind", "text", "by", "on"]

    def get_by(self, entry) -> str:
        return "author" if entry.by_author else entry.feedback.receiver.name


class FeedbackSerializer(serializers.ModelSerializer):
    """Feedback as its author sees it (their own only). ``receiver_name``, ``topic_name``;
    ``flagged``: being reviewed before handling."""

    receiver_name = serializers.CharField(source="receiver.name", read_only=True)
    topic_name = serializers.CharField(source="topic.name", read_only=True, default=None)
    reference = serializers.CharField(source="public_ref", read_only=True)
    #: review, received, in_progress, closed
    status = serializers.CharField(read_only=True)
    flagged = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()

    class Meta:
        model = Feedback
        fields = [
            "id",
            "reference",
            "receiver",
            "receiver_name",
            "topic",
            "topic_name",
            "text",
            "hide_identity",
            "created_on",
            "status",
            "flagged",
            "due_on",
            "result",
            "closed_on",
            "files",
        ]
        read_only_fields = fields

    def get_flagged(self, feedback) -> bool:
        return feedback.status == Feedback.Status.REVIEW

    def get_files(self, feedback) -> list[dict]:
        return _attachments(feedback)


class FeedbackWriteSerializer(serializers.Serializer):
    receiver = serializers.IntegerField(
        error_messages={**VI, "invalid": gettext_lazy("Cần một mã số (số nguyên).")}
    )
    text = serializers.CharField(trim_whitespace=False, error_messages=VI)
    hide_identity = serializers.BooleanField(default=False, error_messages=VI)
    topic = serializers.IntegerField(required=False, allow_null=True, error_messages=VI)
    files = serializers.ListField(child=serializers.FileField(), required=False)


class ReplySerializer(serializers.Serializer):
    text = serializers.CharField(trim_whitespace=False, error_messages=VI)


def _django_errors(exc):
    raise exceptions.ValidationError(
        exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    ) from None


class FeedbackViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's own feedback: send (POST, JSON or multipart with ``files``), list, open,
    read the thread and reply (``replies/``), fetch an attachment (``files/<n>/``)."""

    serializer_class = FeedbackSerializer
    lookup_value_regex = UUID
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        member = services.current_member(self.request.user)
        return services.my_feedback(member).prefetch_related("attachments")

    def get_object(self):
        try:
            return super().get_object()
        except (DjangoValidationError, ValueError):
            raise exceptions.NotFound(_("Không tìm thấy.")) from None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method == "POST":
            refuse_oversized(request)
            if self.action == "create":
                # a photo's body read in one piece and split by python-multipart (same
                # answers as Django's parser: sotay_plugins/uploads.py; bench/RESULTS.md)
                uploads.parse_in_memory(request)

    @extend_schema(request=FeedbackWriteSerializer, responses={201: FeedbackSerializer})
    def create(self, request, *args, **kwargs):
        data = request.data
        files = request.FILES.getlist("files") if hasattr(request, "FILES") else []
        serializer = FeedbackWriteSerializer(
            data={
                k: data.get(k) for k in ("receiver", "text", "hide_identity", "topic") if k in data
            }
        )
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        try:
            feedback = services.send(
                services.sender(request.user),  # no Member row read (the subject's cache)
                receiver=values["receiver"],
                text=values["text"],
                hide_identity=values.get("hide_identity", False),
                topic=values.get("topic"),
                files=files,
            )
        except DjangoValidationError as exc:
            _django_errors(exc)
        # answered from what was just stored (receiver and topic loaded, the attachments' rows
        # kept), not read back: two queries less a send (bench/RESULTS.md, issue 14)
        body = FeedbackSerializer(feedback).data
        if feedback.status == Feedback.Status.REVIEW:
            body["notice"] = _("Góp ý đã được nhận và đang được xem xét trước khi chuyển xử lý.")
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=EntrySerializer(many=True))
    @extend_schema(methods=["POST"], request=ReplySerializer, responses={201: EntrySerializer})
    @action(detail=True, methods=["get", "post"], url_path="replies")
    def replies(self, request, pk=None):
        """The thread as the author sees it (replies, status changes; handlers' notes left out);
        POST: the author replies."""
        feedback = self.get_object()
        if request.method == "POST":
            serializer = ReplySerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            try:
                entry = services.author_reply(
                    services.current_member(request.user),
                    feedback,
                    serializer.validated_data["text"],
                )
            except DjangoValidationError as exc:
                _django_errors(exc)
            return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)
        entries = services.thread_for_author(feedback).select_related("feedback__receiver")
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(EntrySerializer(page, many=True).data)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"files/(?P<number>[0-9]+)")
    def file(self, request, pk=None, number=None):
        feedback = self.get_object()
        return serve_attachment(feedback, number)


def serve_attachment(feedback, number):
    items = list(feedback.attachments.all())
    index = int(number) - 1
    if not 0 <= index < len(items):
        raise exceptions.NotFound(_("Không tìm thấy."))
    attachment = items[index]
    return shared_files.serve_private(
        attachment.file, content_type=attachment.content_type, filename=attachment.name
    )


# --- the handlers' side -------------------------------------------------------------------


class InboxEntrySerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()
    kind = serializers.CharField(read_only=True)

    class Meta:
        model = Entry
        fields = ["seq", "kind", "text", "by", "to_author", "on"]

    def get_by(self, entry) -> str:
        if entry.by_author:
            return "author"
        return (
            entry.by_user.get_full_name() or entry.by_user.get_username() if entry.by_user else ""
        )


class InboxSerializer(serializers.ModelSerializer):
    """Feedback as a handler sees it. ``author_name`` is null when the identity is hidden
    (nobody but the custodian can learn it); ``flagged_terms``: what the screening matched."""

    receiver_name = serializers.CharField(source="receiver.name", read_only=True)
    topic_name = serializers.CharField(source="topic.name", read_only=True, default=None)
    reference = serializers.CharField(source="public_ref", read_only=True)
    #: review, received, in_progress, closed
    status = serializers.CharField(read_only=True)
    author_name = serializers.SerializerMethodField()
    assignee = serializers.IntegerField(source="assignee_id", read_only=True)
    issuer_org = serializers.IntegerField(source="receiver.org_id", read_only=True)
    audience_org = serializers.IntegerField(source="receiver.org_id", read_only=True)
    files = serializers.SerializerMethodField()

    class Meta:
        model = Feedback
        fields = [
            "id",
            "reference",
            "receiver",
            "receiver_name",
            "issuer_org",
            "audience_org",
            "topic",
            "topic_name",
            "text",
            "hide_identity",
            "author_name",
            "created_on",
            "status",
            "flagged_terms",
            "assignee",
            "due_on",
            "result",
            "closed_on",
            "files",
        ]
        read_only_fields = fields

    def get_author_name(self, feedback) -> str | None:
        return (
            None if feedback.hide_identity or feedback.author is None else feedback.author.full_name
        )

    def get_files(self, feedback) -> list[dict]:
        return _attachments(feedback)


class InboxActionSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    assignee = serializers.IntegerField(required=False, allow_null=True)
    due_on = serializers.DateField(
        required=False,
        allow_null=True,
        error_messages={**VI, "invalid": gettext_lazy("Ngày không đúng dạng YYYY-MM-DD.")},
    )
    target = serializers.IntegerField(required=False, allow_null=True)


@extend_schema(
    parameters=[
        OpenApiParameter("status", OpenApiTypes.STR),
        OpenApiParameter("overdue", OpenApiTypes.BOOL, description="1: only overdue"),
        OpenApiParameter("receiver", OpenApiTypes.INT),
    ]
)
class InboxViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Feedback sent to the units the caller handles (only those: a handler of another unit,
    even one above, gets 404). Actions: ``assign``, ``progress``, ``reply``, ``forward``,
    ``close``, ``reveal-request`` (POST)."""

    serializer_class = InboxSerializer
    lookup_value_regex = UUID

    def get_queryset(self):
        qs = (
            services.handler_queryset(self.request.user)
            .select_related("author")
            .prefetch_related("attachments")
        )
        if self.action != "list":
            return qs
        params = self.request.query_params
        if params.get("status"):
            if params["status"] not in Feedback.Status.values:
                raise exceptions.ValidationError({"status": [_("Giá trị không hợp lệ.")]})
            qs = qs.filter(status=params["status"])
        if str(params.get("overdue", "")).lower() in ("1", "true"):
            qs = services.overdue(qs)
        if params.get("receiver"):
            if not params["receiver"].isdigit():
                raise exceptions.ValidationError({"receiver": [_("Cần một mã số (số nguyên).")]})
            qs = qs.filter(receiver_id=int(params["receiver"]))
        return qs.order_by("due_on", "-created_on", "id")

    def get_object(self):
        try:
            return super().get_object()
        except (DjangoValidationError, ValueError):
            raise exceptions.NotFound(_("Không tìm thấy.")) from None

    @extend_schema(responses=InboxEntrySerializer(many=True))
    @action(detail=True, methods=["get"], url_path="entries")
    def entries(self, request, pk=None):
        feedback = self.get_object()
        page = self.paginate_queryset(feedback.entries.select_related("by_user").order_by("seq"))
        return self.get_paginated_response(InboxEntrySerializer(page, many=True).data)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"files/(?P<number>[0-9]+)")
    def file(self, request, pk=None, number=None):
        return serve_attachment(self.get_object(), number)

    def _act(self, request, perform):
        feedback = self.get_object()
        serializer = InboxActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            perform(feedback, serializer.validated_data)
        except DjangoValidationError as exc:
            _django_errors(exc)
        feedback = self.get_queryset().filter(pk=feedback.pk).first() or feedback
        return Response(InboxSerializer(feedback).data)

    @extend_schema(request=InboxActionSerializer, responses=InboxSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Give it to a handler of the unit (``assignee``: a user id; default: me), ``due_on``."""
        from django.contrib.auth import get_user_model

        def perform(feedback, data):
            assignee = None
            if data.get("assignee"):
                assignee = get_user_model().objects.filter(pk=data["assignee"]).first()
                if assignee is None:
                    raise DjangoValidationError({"assignee": [_("Không tìm thấy người này.")]})
            services.assign(request.user, feedback, assignee=assignee, due_on=data.get("due_on"))

        return self._act(request, perform)

    @extend_schema(request=InboxActionSerializer, responses=InboxSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        return self._act(
            request, lambda f, d: services.record_progress(request.user, f, d.get("text"))
        )

    @extend_schema(request=InboxActionSerializer, responses=InboxSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        return self._act(request, lambda f, d: services.reply(request.user, f, d.get("text")))

    @extend_schema(request=InboxActionSerializer, responses=InboxSerializer)
    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        def perform(feedback, data):
            target = Receiver.objects.filter(pk=data.get("target") or 0).first()
            services.forward(request.user, feedback, target, data.get("text") or "")

        return self._act(request, perform)

    @extend_schema(request=InboxActionSerializer, responses=InboxSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._act(request, lambda f, d: services.close(request.user, f, d.get("text")))

    @extend_schema(request=InboxActionSerializer, responses=InboxSerializer)
    @action(detail=True, methods=["post"], url_path="reveal-request")
    def reveal_request(self, request, pk=None):
        """A written request to the unit's identity custodian (``text``: the reason)."""
        return self._act(
            request, lambda f, d: services.request_reveal(request.user, f, d.get("text"))
        )


class FeedbackReportView(APIView):
    """Per receiving unit in the caller's scope: received, in progress, overdue, closed,
    median days to close, counts by topic."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        from sotay_plugins.api import Pagination

        receivers = services.reportable_receivers(request.user)
        paginator = Pagination()
        page = paginator.paginate_queryset(receivers, request, view=self)
        rows = [
            {
                "receiver": row["receiver"].pk,
                "name": row["receiver"].name,
                "org": row["receiver"].org_id,
                "received": row["received"],
                "in_progress": row["in_progress"],
                "overdue": row["overdue"],
                "closed": row["closed"],
                "median_days_to_close": row["median_days"],
                "by_topic": [{"topic": str(t), "count": n} for t, n in row["topics"]],
            }
            for row in services.report_rows(page)
        ]
        return paginator.get_paginated_response(rows)


# --- the custodian's side -----------------------------------------------------------------


class RevealSerializer(serializers.ModelSerializer):
    """A request to reveal a hidden author; ``decision``: null (waiting), "approved" or
    "refused". The identity itself is only at ``identity/``."""

    feedback = serializers.UUIDField(source="feedback_id", read_only=True)
    reference = serializers.CharField(source="feedback.public_ref", read_only=True)
    receiver_name = serializers.CharField(source="feedback.receiver.name", read_only=True)
    requested_by = serializers.CharField(source="requested_by.get_username", read_only=True)
    decision = serializers.SerializerMethodField()
    share_with_requester = serializers.SerializerMethodField()

    class Meta:
        model = RevealRequest
        fields = [
            "id",
            "feedback",
            "reference",
            "receiver_name",
            "requested_by",
            "reason",
            "at",
            "decision",
            "share_with_requester",
        ]
        read_only_fields = fields

    def get_decision(self, item) -> str | None:
        decision = getattr(item, "decision", None)
        if decision is None:
            return None
        return "approved" if decision.approved else "refused"

    def get_share_with_requester(self, item) -> bool:
        decision = getattr(item, "decision", None)
        return bool(decision and decision.share_with_requester)


class DecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    share_with_requester = serializers.BooleanField(default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RevealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Requests to reveal hidden authors: those to the units the caller keeps identities for
    (the one custodian), and those the caller wrote. ``decide`` (POST, the custodian, once);
    ``identity`` (GET): the author, for the custodian and a requester the custodian granted it
    to, each showing logged; anyone else 404."""

    serializer_class = RevealSerializer

    def get_queryset(self):
        user = self.request.user
        kept = Custodianship.objects.filter(user_id=user.pk).values("receiver_id")
        return (
            RevealRequest.objects.filter(
                Q(feedback__receiver_id__in=kept) | Q(requested_by_id=user.pk)
            )
            .select_related("feedback", "feedback__receiver", "requested_by", "decision")
            .order_by("-at", "-pk")
        )

    @extend_schema(request=DecideSerializer, responses=RevealSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        item = self.get_object()
        serializer = DecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.decide(
                request.user,
                item,
                approve=data["approve"],
                share_with_requester=data["share_with_requester"],
                note=data["note"],
            )
        except DjangoValidationError as exc:
            _django_errors(exc)
        return Response(RevealSerializer(self.get_queryset().get(pk=item.pk)).data)

    @extend_schema(
        responses=inline_serializer(
            "RevealedIdentity",
            {"full_name": serializers.CharField(), "cell": serializers.CharField()},
        )
    )
    @action(detail=True, methods=["get"])
    def identity(self, request, pk=None):
        item = self.get_object()
        if not services.may_see_identity(request.user, item):
            raise exceptions.NotFound(_("Không tìm thấy."))
        member = services.revealed_identity(request.user, item)
        if member is None:
            raise exceptions.NotFound(_("Không tìm thấy."))
        return Response({"full_name": member.full_name, "cell": member.cell.name})
