"""The scoped admin layer: what every plugin's Wagtail admin builds on.

Rights are capabilities held at organisations (``orgtree.scope``), so a plugin's admin never
asks Django's model permissions. It declares, per model, which capability each action needs and
builds its screens from the views below; every listing, form, object page and action then
answers from the scope engine, and anything out of the user's reach answers 404.

Permission policies. Wagtail asks a model's permission policy three kinds of question: may this
user do ``action`` to this model at all, to this instance, and which instances may they do it
to. For a scoped model each action is a *capability held at an organisation*:

    policy = ScopePermissionPolicy(Member, {"view": "members.view_member",
                                            "change": "members.change_member",
                                            "transfer": "members.transfer_member"})
    register_scope_policy(policy)          # from the plugin's AppConfig.ready()

    policy.user_has_permission(user, "change")
        # scope.can(user, cap)
    policy.user_has_permission_for_instance(user, "change", m)
        # scope.can(user, cap, m)
    policy.instances_user_has_permission_for(user, "change")
        # objects under managed_orgs(user, cap)

An action with no capability (``delete`` for members: they leave the register through a status,
never a row deletion) is refused to everyone, superusers included; ``scope.can`` lets a
superuser do every mapped action everywhere. Policies are registered when the app is ready,
before any view asks Wagtail for a fallback policy.

Why the instance listing goes through ``managed_orgs`` and not ``visible_to``: ``visible_to``
adds what a *member* may read (their own record, their own units, published items). Admin
actions are staff rights only: a district updater who is also a member of a cell elsewhere must
not be able to edit their own record there (and so grant themselves a secretary's position).

Views, for a model with a registered policy:

- ``ScopedModelViewSet``: a ModelViewSet whose listing, edit, delete, inspect, history and usage
  views only reach objects the policy lets the user act on; anything else answers 404. Copying
  is off; row links are checked per object. ``ScopedIndexView.get_listing_queryset`` is where a
  listing adds its select_related/annotations (no query per row).
- ``ScopedCreateView`` / ``ScopedEditView`` save through ``save_instance`` (a service call); a
  Vietnamese ValidationError it raises is shown on the form with nothing written.
- ``ScopedObjectFormView``: a form view for one custom action on one object ("move",
  "transfer"…): the object is looked up among those the user may do the action to, the form's
  service call may raise a Vietnamese ValidationError, which is shown with nothing changed.
  Mount it by listing it in the viewset's ``object_action_views`` (route, view, URL name).
- ``ObjectAction``: a custom action offered as a button on an object, declared once in a
  view's ``object_actions``: the listing's row menu (``ScopedIndexView``) and the header of the
  object's edit and inspect pages show it where the policy allows the action on that object
  (and where its ``shown`` test passes, e.g. "only while the unit is active").
- ``yes_no_column``: a boolean column read as "Có" / "Không".

The organisation chooser (``orgtree.admin.chooser``) is the unit picker these forms use.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.ui.components import MediaContainer
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

from .. import scope

# === permission policies =====================================================================


class ScopePermissionPolicy(BasePermissionPolicy):
    """A permission policy for a model that declares ``scope = ScopeSpec(...)``.

    ``actions`` maps a Wagtail action ("add", "change", "delete", "view", or any custom one
    such as "move" or "transfer") to the capability it needs. Unlisted actions are refused.
    """

    def __init__(self, model, actions: dict[str, str | None]):
        super().__init__(model)
        self.actions = dict(actions)

    def check_model(self, model):
        scope.spec_of(model)  # raises a clear TypeError for a model the scope engine cannot filter

    # --- the capability an action needs ------------------------------------------------------
    def capability_for(self, action):
        return self.actions.get(action)

    def _capabilities(self, actions):
        return {cap for cap in (self.capability_for(a) for a in actions) if cap}

    # --- per model ---------------------------------------------------------------------------
    def user_has_permission(self, user, action):
        capability = self.capability_for(action)
        return bool(capability) and scope.can(user, capability)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    # --- per instance ------------------------------------------------------------------------
    def user_has_permission_for_instance(self, user, action, instance):
        capability = self.capability_for(action)
        return bool(capability) and scope.can(user, capability, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(
            self.user_has_permission_for_instance(user, action, instance) for action in actions
        )

    def managed_orgs(self, user, actions):
        """The units where the user holds the capability of any of ``actions`` (one queryset)."""
        from ..models import Organisation

        if scope.is_superadmin(user):
            return Organisation.objects.all()
        orgs = Organisation.objects.none()
        for capability in sorted(self._capabilities(actions)):
            orgs = orgs | scope.managed_orgs(user, capability)
        return orgs

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = self.model._default_manager.all()
        capabilities = self._capabilities(actions)
        if not capabilities or not any(scope.can(user, cap) for cap in capabilities):
            return queryset.none()
        if scope.is_superadmin(user):
            return queryset
        orgs = self.managed_orgs(user, actions)
        org_field = scope.spec_of(self.model).org_field
        if not org_field:  # the model is Organisation itself
            return orgs
        return queryset.filter(**{f"{org_field}__in": orgs.values("pk")})

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])

    # --- who may (used by Wagtail for notifications and reports) -----------------------------
    def _holders(self, actions, org=None):
        from ..models import Role

        user_model = get_user_model()
        wanted = self._capabilities(actions)
        if not wanted:
            return user_model.objects.filter(is_active=True, is_superuser=True)
        role_ids = [
            pk
            for pk, caps in Role.objects.values_list("pk", "capabilities")
            if scope.ALL in (caps or ()) or wanted & set(caps or ())
        ]
        today = timezone.localdate()
        held = Q(
            role_assignments__role_id__in=role_ids,
            role_assignments__valid_from__lte=today,
            role_assignments__org__is_active=True,
        ) & (
            Q(role_assignments__valid_until__isnull=True)
            | Q(role_assignments__valid_until__gte=today)
        )
        if org is not None:  # the right reaches a unit from the unit itself or any ancestor
            held &= scope.containing(org, "role_assignments__org")
        return user_model.objects.filter(Q(is_superuser=True) | held, is_active=True).distinct()

    def users_with_any_permission(self, actions):
        return self._holders(actions)

    def users_with_any_permission_for_instance(self, actions, instance):
        org = scope.org_of(instance)
        if org is None:
            return get_user_model().objects.filter(is_active=True, is_superuser=True)
        return self._holders(actions, org)


def register_scope_policy(policy: ScopePermissionPolicy):
    """Register ``policy`` with Wagtail for its model (exact class); idempotent on reload."""
    model = policy._model_or_name
    current = policy_registry.get_by_type(model, fallback=False)
    if isinstance(current, ScopePermissionPolicy) and current.actions == policy.actions:
        return current
    register_permission_policy(model, policy, exact_class=True)
    return policy


def policy_for(model) -> ScopePermissionPolicy:
    policy = policy_registry.get_by_type(model, fallback=False)
    if not isinstance(policy, ScopePermissionPolicy):
        raise LookupError(f"{model.__name__} has no scope permission policy registered")
    return policy


def add_validation_error(form, exc: ValidationError):
    """Put a service's ValidationError on ``form``: on the field it names when the form has
    that field, otherwise at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


# === views ===================================================================================

_SAME_AS_NAME = "__name__"


@dataclass(frozen=True)
class ObjectAction:
    """A button for one custom action on one object, opening the viewset's URL named ``name``
    (``ScopedModelViewSet.object_action_views``) for that object.

    ``permission`` is the policy action the button needs, by default ``name``; ``None`` for a
    page that checks its own rights (a history any viewer of the object may read). ``shown``
    narrows it further by the object's state (only while a unit is active, a meeting held...).
    """

    name: str
    label: str
    icon: str
    priority: int
    shown: Callable[[object], bool] | None = None
    permission: str | None = _SAME_AS_NAME

    def url_for(self, view, obj):
        """The URL of the action for ``obj`` when ``view``'s user may take it, else ``None``."""
        if self.shown is not None and not self.shown(obj):
            return None
        permission = self.name if self.permission == _SAME_AS_NAME else self.permission
        if permission and not view.permission_policy.user_has_permission_for_instance(
            view.request.user, permission, obj
        ):
            return None
        namespace = view.index_url_name.rpartition(":")[0]
        return reverse(f"{namespace}:{self.name}", args=[quote(obj.pk)])


class ObjectActionsMixin:
    """``object_actions`` (ObjectAction) as buttons of ``button_class`` for one object."""

    object_actions: tuple[ObjectAction, ...] = ()

    def object_action_buttons(self, obj, button_class):
        buttons = []
        for action in self.object_actions:
            if url := action.url_for(self, obj):
                buttons.append(
                    button_class(
                        action.label, url=url, icon_name=action.icon, priority=action.priority
                    )
                )
        return buttons


class ObjectHeaderActionsMixin(ObjectActionsMixin):
    """The object's actions in the header of its edit or inspect page."""

    @cached_property
    def header_more_buttons(self):
        return [*super().header_more_buttons, *self.object_action_buttons(self.object, Button)]


class ScopedQuerysetMixin:
    """Objects the user may act on, from the model's scope permission policy."""

    def scoped_queryset(self, actions):
        return self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, actions
        )


class ScopedIndexView(ObjectActionsMixin, ScopedQuerysetMixin, generic.IndexView):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # No spreadsheet export by URL (``?export=csv``): exports of personal data are a
        # deliberate feature with its own capability and audit (reports), not a side door.
        self.is_export = False

    def get_base_queryset(self):
        return self.get_listing_queryset(self.scoped_queryset(self.any_permission_required))

    def get_listing_queryset(self, queryset):
        """Hook for select_related / annotations: the listing must not query per row."""
        return queryset

    def title_column(self, name, label, column_class=TitleColumn, **kwargs):
        """The first column: the object's title, linked to its page, with the row's buttons."""

        return self._get_title_column_class(column_class)(
            name, label=label, get_url=self.get_title_url, **kwargs
        )

    def get_title_url(self, instance):
        return self.get_edit_url(instance) or self.get_inspect_url(instance)

    def _can(self, action, instance):
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, action, instance
        )

    def get_edit_url(self, instance):
        if self.edit_url_name and self._can("change", instance):
            return reverse(self.edit_url_name, args=(quote(instance.pk),))

    def get_inspect_url(self, instance):
        if self.inspect_url_name and (self._can("view", instance) or self._can("change", instance)):
            return reverse(self.inspect_url_name, args=(quote(instance.pk),))

    def get_delete_url(self, instance):
        if self.delete_url_name and self._can("delete", instance):
            return reverse(self.delete_url_name, args=(quote(instance.pk),))

    def get_copy_url(self, instance):
        return None

    def get_list_more_buttons(self, instance):
        return [
            *super().get_list_more_buttons(instance),
            *self.object_action_buttons(instance, MenuItem),
        ]


class ServiceSaveMixin:
    """Save through ``save_instance`` (a service call); a ValidationError it raises is shown on
    the form and nothing is written."""

    def form_valid(self, form):
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except ValidationError as exc:
            add_validation_error(form, exc)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        response = self.save_action()
        return self.run_after_hook() or response


class ScopedCreateView(ServiceSaveMixin, generic.CreateView):
    pass


class ScopedEditView(
    ObjectHeaderActionsMixin, ServiceSaveMixin, ScopedQuerysetMixin, generic.EditView
):
    def get_queryset(self):
        return self.scoped_queryset(["change"])

    @cached_property
    def can_delete(self):
        return self.user_has_permission_for_instance("delete", self.object)

    def get_copy_url(self):
        return None

    def get_side_panels(self):
        # Wagtail's status panel speaks of drafts, "Live" and reference usage, none of which
        # these records have; the change history gets a header button instead.
        return MediaContainer([])

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if history_url := self.get_history_url():
            buttons.append(
                Button(_("Lịch sử thay đổi"), url=history_url, icon_name="history", priority=35)
            )
        return buttons


class ScopedDeleteView(ScopedQuerysetMixin, generic.DeleteView):
    def get_queryset(self):
        return self.scoped_queryset(["delete"])


def display_value(value):
    """A value as staff should read it in an inspect view (issue 17: they saw Python's "None",
    "True"): empty → "—", yes/no in Vietnamese, dates as dd/mm/yyyy, collections joined."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, datetime.datetime):
        return date_format(
            timezone.localtime(value) if timezone.is_aware(value) else value, "d/m/Y H:i"
        )
    if isinstance(value, datetime.date):
        return date_format(value, "d/m/Y")
    if isinstance(value, (set, frozenset, list, tuple)):
        return ", ".join(str(item) for item in sorted(value, key=str)) or "—"
    return value


class ScopedInspectView(ObjectHeaderActionsMixin, ScopedQuerysetMixin, generic.InspectView):
    def get_field_display_value(self, field_name, field):
        return display_value(super().get_field_display_value(field_name, field))

    def get_object(self, queryset=None):
        return get_object_or_404(
            self.scoped_queryset(self.any_permission_required), pk=unquote(str(self.pk))
        )

    def get_edit_url(self):
        if self.edit_url_name and self.user_has_permission_for_instance("change", self.object):
            return reverse(self.edit_url_name, args=(quote(self.object.pk),))

    def get_delete_url(self):
        if self.delete_url_name and self.user_has_permission_for_instance("delete", self.object):
            return reverse(self.delete_url_name, args=(quote(self.object.pk),))


class ScopedHistoryView(ScopedQuerysetMixin, history.HistoryView):
    def get_base_object_queryset(self):
        return self.scoped_queryset(self.any_permission_required)


class ScopedUsageView(ScopedQuerysetMixin, usage.UsageView):
    def get_base_object_queryset(self):
        return self.scoped_queryset(["change"])


class ScopedModelViewSet(ModelViewSet):
    """A ModelViewSet for a model with a registered ``ScopePermissionPolicy``."""

    index_view_class = ScopedIndexView
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_enabled = False
    add_to_reference_index = False

    def get_permissions_to_register(self):
        # Django's model permissions mean nothing here (rights are held at organisations), so
        # they are kept out of Wagtail's group editor.
        from django.contrib.auth.models import Permission

        return Permission.objects.none()

    #: ``(route, view class, URL name)`` of the viewset's views of one object
    #: (``ScopedObjectFormView`` or similar), each mounted at ``<route>/<pk>/``.
    object_action_views = ()

    def get_urlpatterns(self):
        common = {"model": self.model, "index_url_name": self.get_url_name("index")}
        return [
            *super().get_urlpatterns(),
            *(
                self.object_action_path(route, view_class, name, **common)
                for route, view_class, name in self.object_action_views
            ),
        ]

    def object_action_path(self, route, view_class, name, **kwargs):
        """A URL for a ``ScopedObjectFormView`` (or similar) of this viewset."""
        view = self.construct_view(view_class, **kwargs)
        return path(f"{route}/<int:pk>/", view, name=name)


class ScopedObjectFormView(
    ScopedQuerysetMixin, PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView
):
    """One action on one object, through a service. Subclasses set ``action`` (the policy
    action), ``form_class`` and implement ``perform(form)``, which returns a success message.
    ``intro``, the text above the form, may name the object's details given by
    ``get_intro_params()`` (``%(name)s``), which a plugin's views define once."""

    model = None
    action = None
    index_url_name = None
    edit_url_name = None
    template_name = "orgtree/admin/action_form.html"
    header_icon = ""
    submit_button_label = gettext_lazy("Thực hiện")
    intro = ""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.permission_required = self.action
        self.object = get_object_or_404(self.scoped_queryset([self.action]), pk=kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "obj": self.object}

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        items = []
        if self.index_url_name:
            items.append(
                {
                    "url": reverse(self.index_url_name),
                    "label": self.model._meta.verbose_name_plural.capitalize(),
                }
            )
        items.append({"url": "", "label": self.get_page_title(), "sublabel": str(self.object)})
        return self.breadcrumbs_items + items

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            action_url=self.request.path,
            intro=self.get_intro(),
            media=context["form"].media,
            submit_button_label=self.submit_button_label,
            submit_button_active_label=self.submit_button_label,
        )
        return context

    def get_intro(self):
        return self.intro % self.get_intro_params()

    def get_intro_params(self):
        return {}

    def perform(self, form):
        raise NotImplementedError

    def get_success_url(self):
        return reverse(self.index_url_name)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                message = self.perform(form)
        except ValidationError as exc:
            add_validation_error(form, exc)
            return self.form_invalid(form)
        if message:
            messages.success(self.request, message)
        return redirect(self.get_success_url())

    def form_invalid(self, form):
        messages.error(self.request, _("Chưa thực hiện được: vui lòng xem lỗi bên dưới."))
        return super().form_invalid(form)


def yes_no_column(name, label):
    """A yes/no field as the words "Có" / "Không" (Wagtail's icon column reads "True" aloud)."""
    return Column(
        name, label=label, accessor=lambda obj: _("Có") if getattr(obj, name) else _("Không")
    )
