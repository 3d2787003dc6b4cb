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

# quizzes (a statement first keeps this block apart from the others' imports)
QUIZZES = "quizzes"
from .quizzes.models import (  # noqa: E402, F401
    Answer,
    AttemptQuestion,
    Category,
    Question,
    QuestionBank,
    Quiz,
    QuizAttempt,
    QuizPass,
)
