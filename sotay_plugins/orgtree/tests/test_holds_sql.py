"""``scope.holds_sql`` is ``can()`` written in SQL: both must answer alike for every user and
unit."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.models import Organisation
from tests.factories import UserFactory, grant, small_tree

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the SQL form is PostgreSQL's (jsonb)"
)

CAP = "meetings.check_in"


def sql_says(user, org):
    sql = f"SELECT {scope.holds_sql(CAP, user_sql='%(user)s', org_sql='%(org)s')}"
    with connection.cursor() as cursor:
        cursor.execute(sql, {"user": user.pk, "org": org.pk, "today": timezone.localdate()})
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_sql_form_agrees_with_can_everywhere():
    tree = small_tree()
    secretary, district, viewer, admin, expired, nobody = (UserFactory() for _ in range(6))
    inactive_admin = UserFactory(is_superuser=True, is_active=False)
    grant(secretary, "cell_secretary", tree["c11"])
    grant(district, "full_admin", tree["d1"])  # "*" reaches the subtree
    grant(viewer, "viewer", tree["province"])  # holds no check-in right
    old = grant(expired, "cell_secretary", tree["c12"])
    old.valid_until = timezone.localdate() - timedelta(days=1)
    old.save()
    admin.is_superuser = True
    admin.save()
    users = [secretary, district, viewer, admin, expired, nobody, inactive_admin]
    answers = 0
    for user in users:
        scope.forget(user)
        for org in Organisation.objects.all():
            assert sql_says(user, org) == scope.can(user, CAP, org), (user.username, org.name)
            answers += sql_says(user, org)
    assert answers > 0  # the test exercised both answers


@pytest.mark.django_db
def test_a_dissolved_unit_grants_nothing_in_either_form():
    tree = small_tree()
    secretary = UserFactory()
    grant(secretary, "cell_secretary", tree["c11"])
    Organisation.objects.filter(pk=tree["c11"].pk).update(is_active=False)
    scope.grants_changed()
    scope.forget(secretary)
    cell = Organisation.objects.get(pk=tree["c11"].pk)
    assert sql_says(secretary, cell) is False and scope.can(secretary, CAP, cell) is False
