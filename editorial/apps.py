from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    """Wagtail pages: the province's home now; the newsroom and the document library (issue 3)
    build on it."""

    name = "editorial"
    verbose_name = _("Tin tức và văn bản")
    default_auto_field = "django.db.models.BigAutoField"
