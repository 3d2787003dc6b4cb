"""The study plugin's models, one module per concern (resolutions, plans, quizzes, points),
gathered here for Django."""

from .plans.models import (  # noqa: F401
    ImplementationPlan,
    SessionAttendance,
    StudyPlan,
    StudySession,
)
from .points.models import (  # noqa: F401
    BoardEntry,
    BoardSummary,
    PointLine,
    PointSettings,
    RuleOverride,
)
from .quizzes.models import (  # noqa: F401
    Answer,
    AttemptQuestion,
    Category,
    Question,
    QuestionBank,
    Quiz,
    QuizAttempt,
    QuizPass,
)
from .resolutions.models import (  # noqa: F401
    ResolutionInfographic,
    ResolutionOutline,
    ResolutionPage,
    ResolutionStudy,
    StudyIndexPage,
)
