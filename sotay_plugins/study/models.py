"""The study plugin's models, one module per concern, gathered here for Django."""

# resolutions and plans
from .plans.models import (  # noqa: F401
    ImplementationPlan,
    SessionAttendance,
    StudyPlan,
    StudySession,
)
from .resolutions.models import (  # noqa: F401
    ResolutionInfographic,
    ResolutionOutline,
    ResolutionPage,
    ResolutionStudy,
    StudyIndexPage,
)
