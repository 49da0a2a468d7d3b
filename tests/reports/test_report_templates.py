"""Report templates: the customer analysis for managers, the system usage report for administrators only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from crm.models import BehaviourLog
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", role=roles.ADMINISTRATOR)


def test_customer_analysis_counts_the_viewers_scope(client_for, rep_user, far_rep, manager):
    CustomerFactory(owner=rep_user, lifecycle_stage="vip", level="A", industry="it", quality_score=80)
    CustomerFactory(owner=rep_user, lifecycle_stage="vip", level="B", industry="it", quality_score=60)
    CustomerFactory(owner=far_rep, lifecycle_stage="vip", level="A", industry="finance")
    response = client_for(manager).get(reverse("reports:template-detail", args=["customer_analysis"]))
    assert response.status_code == 200
    lifecycle, industry, _source, owners, _recency = response.context["tables"]
    assert ["VIP", 1, 1, 0, 0, 2] in lifecycle.rows
    assert industry.rows == [["Information technology", 2, 70.0, 0.0]]
    assert owners.rows == [["alice", 2, 2, 0, 70.0]]


def test_system_usage_counts_active_users_sign_ins_and_modules(client_for, admin_user, rep_user, other_rep):
    log = BehaviourLog.objects.create
    log(user=rep_user, username="alice", action=BehaviourLog.Action.LOGIN)
    log(user=rep_user, username="alice", action=BehaviourLog.Action.LOGIN)
    log(user=rep_user, username="alice", action=BehaviourLog.Action.CREATE, module="customers")
    log(user=other_rep, username="bob", action=BehaviourLog.Action.EXPORT, module="customers")
    log(user=None, username="ghost", action=BehaviourLog.Action.LOGIN_FAILED)
    old = log(user=other_rep, username="bob", action=BehaviourLog.Action.LOGIN)
    BehaviourLog.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=400))
    # Signing the administrator in is itself a sign-in in the log: three active users, three sign-ins.
    response = client_for(admin_user).get(reverse("reports:template-detail", args=["system_usage"]))
    assert response.status_code == 200
    summary, daily, modules, kinds = response.context["tables"]
    assert summary.rows == [[3, 3, 1, 6]]
    assert daily.rows == [[timezone.localdate(), 3, 3, 6]]
    assert modules.rows == [["—", 3], ["customers", 2], ["accounts", 1]]
    assert ["Signed in", 3] in kinds.rows


@pytest.mark.parametrize("user_fixture", ["manager", "executive", "rep_user"])
def test_only_administrators_see_system_usage(request, client_for, user_fixture):
    client = client_for(request.getfixturevalue(user_fixture))
    assert client.get(reverse("reports:template-detail", args=["system_usage"])).status_code == 404


def test_reps_have_no_report_templates(client_for, rep_user):
    client = client_for(rep_user)
    assert client.get(reverse("reports:template-list")).status_code == 404
    assert client.get(reverse("reports:template-detail", args=["customer_analysis"])).status_code == 404


def test_customer_analysis_query_count_is_flat(client_for, executive, rep_user, far_rep):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(executive)
    url = reverse("reports:template-detail", args=["customer_analysis"])
    CustomerFactory(owner=rep_user)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(30):
        CustomerFactory(owner=(rep_user, far_rep)[i % 2], industry="it", source="event")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many) <= 14


def test_customer_analysis_offers_no_period_but_system_usage_does(client_for, executive, db):
    admin_user = UserFactory(username="root2", role=roles.ADMINISTRATOR)
    analysis = client_for(executive).get(reverse("reports:template-detail", args=["customer_analysis"]))
    assert "period" not in analysis.context["form"].fields and "owner" in analysis.context["form"].fields
    usage = client_for(admin_user).get(reverse("reports:template-detail", args=["system_usage"]))
    assert "period" in usage.context["form"].fields
