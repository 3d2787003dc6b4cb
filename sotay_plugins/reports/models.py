"""The reports plugin's models, one module per concern (rollups, exports), gathered here for
Django."""

# exports
from .exports.models import Export  # noqa: E402, F401
