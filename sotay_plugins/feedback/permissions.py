"""The feedback plugin's Wagtail permission policies (scope-checked); registered in ``apps.py``'s
``ready()``, used by the admin viewsets. Feedback itself and the escrow have no generic admin:
handling goes through the views of ``admin/handling.py`` (the receiving unit's handlers only),
and the escrow through nothing but a granted reveal."""

from sotay_plugins.orgtree.admin.scoped import ScopePermissionPolicy

from .models import ANSWER, MANAGE, REVIEW, KeywordList, Question, Receiver, Topic

topic_policy = ScopePermissionPolicy(
    Topic, {"view": MANAGE, "add": MANAGE, "change": MANAGE, "delete": MANAGE}
)
receiver_policy = ScopePermissionPolicy(
    Receiver, {"view": MANAGE, "add": MANAGE, "change": MANAGE, "custodian": MANAGE}
)
keyword_policy = ScopePermissionPolicy(
    KeywordList, {"view": REVIEW, "add": REVIEW, "change": REVIEW, "delete": REVIEW}
)
question_policy = ScopePermissionPolicy(
    Question, {"view": ANSWER, "change": ANSWER, "answer": ANSWER}
)

POLICIES = (topic_policy, receiver_policy, keyword_policy, question_policy)
