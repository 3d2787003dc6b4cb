from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The core: registry, job outbox, flag sets. Not a plugin; every plugin builds on it."""

    name = "sotay_plugins"
    label = "sotay"
    verbose_name = _("Lõi Sổ tay")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Receivers are connected here, never as a side effect of importing their module.
        from django.contrib.auth import get_user_model
        from django.core.signals import setting_changed
        from django.db.models.signals import post_save, pre_save

        from . import authentication, front

        setting_changed.connect(front.forget, dispatch_uid="sotay.front.forget")
        from django.db.backends.signals import connection_created

        from .text import register_sqlite_fold

        connection_created.connect(register_sqlite_fold, dispatch_uid="sotay.sqlite.fold")
        user = get_user_model()
        pre_save.connect(
            authentication.note_password_change, sender=user, dispatch_uid="sotay.password.pre"
        )
        post_save.connect(
            authentication.drop_tokens_on_password_change,
            sender=user,
            dispatch_uid="sotay.password.post",
        )

        from wagtail.signals import page_published

        from . import speech
        from .models import SpokenAudio

        # Audio versions of published pages of the spoken kinds (``speech``).
        page_published.connect(speech.on_page_published, dispatch_uid="sotay.speech.published")
        from django.db.models.signals import post_delete

        post_delete.connect(
            speech.file_deleted, sender=SpokenAudio, dispatch_uid="sotay.speech.file_deleted"
        )

        from . import checks  # noqa: F401 (registers the deployment checks)
