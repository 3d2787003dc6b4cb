"""The quizzes' Wagtail permission policies (scope-checked), registered in the study plugin's
``ready()`` (block "# quizzes") and used by the admin viewsets.

Banks, categories and questions are kept where their bank's unit is; quizzes where their issuer
is. Nothing is deleted from the admin: a question leaves the draw by being marked unused, a quiz
by being unpublished (attempts and statistics refer to both).
"""

from sotay_plugins.orgtree.admin.scoped import ScopePermissionPolicy

from .models import MANAGE_QUIZZES, VIEW_QUIZ_RESULTS, Category, Question, QuestionBank, Quiz

KEEP = {"view": MANAGE_QUIZZES, "add": MANAGE_QUIZZES, "change": MANAGE_QUIZZES}

bank_policy = ScopePermissionPolicy(QuestionBank, {**KEEP, "import": MANAGE_QUIZZES})
category_policy = ScopePermissionPolicy(Category, KEEP)
question_policy = ScopePermissionPolicy(Question, KEEP)
quiz_policy = ScopePermissionPolicy(
    Quiz, {**KEEP, "view": VIEW_QUIZ_RESULTS, "statistics": VIEW_QUIZ_RESULTS}
)

POLICIES = (bank_policy, category_policy, question_policy, quiz_policy)
