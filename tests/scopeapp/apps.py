from django.apps import AppConfig


class ScopeAppConfig(AppConfig):
    """A test-only app: a concrete published item with audience fields for the scope engine
    tests."""

    name = "tests.scopeapp"
    label = "scopeapp"
    verbose_name = "Mục thử phạm vi"
    default_auto_field = "django.db.models.BigAutoField"
