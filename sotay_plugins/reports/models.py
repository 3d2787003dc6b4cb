"""The reports plugin's models, one module per concern (rollups, exports), gathered here for
Django."""

from .exports.models import Export  # noqa: F401
from .rollups.models import Granularity, RefreshState, Rollup  # noqa: F401
