"""The study plugin's models, one module per concern, gathered here for Django."""

# points
from .points.models import (  # noqa: F401
    BoardEntry,
    BoardSummary,
    PointLine,
    PointSettings,
    RuleOverride,
)
