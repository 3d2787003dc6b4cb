"""Topics, receiving units (with their one identity custodian), keyword lists and Q&A in the
Wagtail admin, each filtered by the scope engine (``permissions``)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.admin.scoped import (
    ObjectAction,
    ScopedEditView,
    ScopedIndexView,
    ScopedModelViewSet,
    ScopedObjectFormView,
    yes_no_column,
)
from sotay_plugins.orgtree.forms import OrgChoiceField, ScopedModelForm

from .. import services
from ..models import MANAGE, REVIEW, KeywordList, Question, Receiver, Topic


def _orgs(user, capability):
    return scope.managed_orgs(user, capability).filter(is_active=True).order_by("tree_id", "lft")


class TopicForm(ScopedModelForm):
    class Meta:
        model = Topic
        fields = ["org", "name", "order", "is_active"]
        field_classes = {"org": OrgChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = _orgs(self.user, MANAGE)


class ReceiverForm(ScopedModelForm):
    class Meta:
        model = Receiver
        fields = ["org", "body", "name", "due_days", "is_active"]
        field_classes = {"org": OrgChoiceField}

    def __init__(self, *args, **kwargs):
        from sotay_plugins.orgtree.models import AdvisoryBody

        super().__init__(*args, **kwargs)
        orgs = _orgs(self.user, MANAGE)
        self.fields["org"].queryset = orgs
        self.fields["body"].queryset = AdvisoryBody.objects.filter(
            org__in=orgs.values("pk"), is_active=True
        ).select_related("org")

    def clean(self):
        data = super().clean()
        body, org = data.get("body"), data.get("org")
        if body and org and body.org_id != org.pk:
            raise ValidationError({"body": _("Cơ quan tham mưu phải thuộc cấp ủy được chọn.")})
        duplicate = Receiver.objects.filter(org=org, body=body).exclude(pk=self.instance.pk)
        if org and duplicate.exists():
            raise ValidationError({"org": _("Đơn vị này đã là đơn vị nhận góp ý.")})
        return data


class KeywordListForm(ScopedModelForm):
    class Meta:
        model = KeywordList
        fields = ["org", "name", "terms", "is_active"]
        field_classes = {"org": OrgChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = _orgs(self.user, REVIEW)


class QuestionForm(ScopedModelForm):
    class Meta:
        model = Question
        fields = ["title", "text", "answer", "is_published"]

    def clean(self):
        data = super().clean()
        if data.get("is_published") and not (data.get("answer") or "").strip():
            raise ValidationError({"answer": _("Cần có câu trả lời trước khi công khai.")})
        return data


class CustodianForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("Tài khoản người giữ danh tính"),
        max_length=150,
        help_text=gettext_lazy("Mỗi đơn vị nhận chỉ có một người giữ danh tính."),
    )

    def __init__(self, *args, user=None, obj=None, **kwargs):
        self.user, self.obj = user, obj
        super().__init__(*args, **kwargs)

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        account = get_user_model().objects.filter(username=name, is_active=True).first()
        if account is None:
            raise ValidationError(_("Không tìm thấy tài khoản “%(u)s”.") % {"u": name})
        return account


class CustodianView(ScopedObjectFormView):
    model = Receiver
    action = "custodian"
    form_class = CustodianForm
    page_title = gettext_lazy("Chỉ định người giữ danh tính")
    intro = gettext_lazy("Người giữ danh tính của %(name)s (chỉ một người).")
    submit_button_label = gettext_lazy("Chỉ định")
    index_url_name = "feedback_receiver:index"

    def get_intro_params(self):
        return {"name": self.object.name}

    def perform(self, form):
        services.appoint_custodian(self.request.user, self.object, form.cleaned_data["username"])
        return _("Đã chỉ định người giữ danh tính.")


class ReceiverIndexView(ScopedIndexView):
    object_actions = (
        ObjectAction(
            "custodian",
            gettext_lazy("Chỉ định người giữ danh tính"),
            "key",
            40,
            lambda r: not hasattr(r, "custodianship"),
        ),
    )

    def get_listing_queryset(self, queryset):
        return queryset.select_related("org", "body", "custodianship")

    @cached_property
    def columns(self):
        return [
            self.title_column("name", _("Tên")),
            Column("org", label=_("Cấp ủy"), accessor="org.name"),
            Column(
                "custodian",
                label=_("Có người giữ danh tính"),
                accessor=lambda r: _("Có") if hasattr(r, "custodianship") else _("Chưa"),
            ),
            yes_no_column("is_active", _("Đang nhận")),
        ]


class OrgIndexView(ScopedIndexView):
    def get_listing_queryset(self, queryset):
        return queryset.select_related("org")


class TopicViewSet(ScopedModelViewSet):
    model = Topic
    name = "feedback_topic"
    url_prefix = "gop-y-chu-de"
    icon = "tag"
    menu_label = gettext_lazy("Chủ đề góp ý")
    index_view_class = OrgIndexView
    form_class = TopicForm
    list_display = ["name", "org", yes_no_column("is_active", gettext_lazy("Đang dùng"))]
    search_fields = ["name"]
    search_backend_name = None

    def get_form_class(self, for_update=False):
        return TopicForm


class ReceiverViewSet(ScopedModelViewSet):
    model = Receiver
    name = "feedback_receiver"
    url_prefix = "gop-y-don-vi-nhan"
    icon = "group"
    menu_label = gettext_lazy("Đơn vị nhận góp ý")
    index_view_class = ReceiverIndexView
    form_class = ReceiverForm
    search_fields = ["name"]
    search_backend_name = None
    object_action_views = (("nguoi-giu-danh-tinh", CustodianView, "custodian"),)

    def get_form_class(self, for_update=False):
        return ReceiverForm


class KeywordListViewSet(ScopedModelViewSet):
    model = KeywordList
    name = "feedback_keywordlist"
    url_prefix = "gop-y-tu-khoa"
    icon = "warning"
    menu_label = gettext_lazy("Từ khóa sàng lọc")
    index_view_class = OrgIndexView
    form_class = KeywordListForm
    list_display = ["name", "org", yes_no_column("is_active", gettext_lazy("Đang dùng"))]
    search_fields = ["name"]
    search_backend_name = None

    def get_form_class(self, for_update=False):
        return KeywordListForm


class QuestionIndexView(ScopedIndexView):
    def get_listing_queryset(self, queryset):
        return queryset.select_related("issuer_org")

    @cached_property
    def columns(self):
        return [
            self.title_column("title", _("Câu hỏi")),
            Column("org", label=_("Cấp ủy"), accessor="issuer_org.name"),
            Column("asked_on", label=_("Ngày hỏi")),
            Column(
                "answered",
                label=_("Đã trả lời"),
                accessor=lambda q: _("Có") if q.answer else _("Chưa"),
            ),
            yes_no_column("is_published", _("Công khai")),
        ]


class QuestionViewSet(ScopedModelViewSet):
    model = Question
    name = "feedback_question"
    url_prefix = "hoi-dap"
    icon = "help"
    menu_label = gettext_lazy("Hỏi đáp")
    index_view_class = QuestionIndexView
    form_class = QuestionForm
    add_view_enabled = False
    list_filter = ["is_published"]
    search_fields = ["title"]
    search_backend_name = None
    ordering = ["-asked_on", "-pk"]

    def get_form_class(self, for_update=False):
        return QuestionForm


class FeedbackSettingsGroup(ViewSetGroup):
    menu_label = gettext_lazy("Góp ý, hỏi đáp")
    menu_icon = "mail"
    menu_order = 360
    items = (TopicViewSet, ReceiverViewSet, KeywordListViewSet, QuestionViewSet)


class QuestionEditView(ScopedEditView):
    def save_instance(self):
        question = self.form.save(commit=False)
        return services.answer(
            self.request.user, question, question.answer, publish=question.is_published
        )


QuestionViewSet.edit_view_class = QuestionEditView
