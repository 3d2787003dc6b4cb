"""The OpenAPI schema generator (kept apart from api.py, which DRF imports during its own start-up)."""

from drf_spectacular import generators


class SchemaGenerator(generators.SchemaGenerator):
    """Describes /api/v1/ only (config.api_urls), not the Wagtail admin's internal API."""

    def __init__(self, *args, urlconf=None, **kwargs):
        super().__init__(*args, urlconf=urlconf or "config.api_urls", **kwargs)
