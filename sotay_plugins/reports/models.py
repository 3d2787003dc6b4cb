"""The reports plugin's models, one module per concern (rollups, exports), gathered here for
Django."""

# rollups
from .rollups.models import Granularity, RefreshState, Rollup  # noqa: E402, F401

# exports
from .exports.models import Export  # noqa: E402, F401
