"""Leads: entry, the three views, assignment (manual and round-robin, logged), conversion, capture."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from crm.models import Notification
from customers.models import Contact, Customer
from marketing.models import Campaign
from marketing.signals import prospect_captured
from sales.models import Lead, LeadAssignment, Opportunity
from sales.services import leads as services
from tests.factories import ContactFactory, CustomerFactory, UserFactory

from .factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_rep_creates_a_lead_they_own_and_it_is_logged(client_for, rep_user):
    response = client_for(rep_user).post(
        reverse("sales:lead-create"), {"name": "王伟", "company": "华东机械", "phone": "13800001111"}
    )
    lead = Lead.objects.get()
    assert response.status_code == 302 and response.url == lead.get_absolute_url()
    assert lead.owner == rep_user and lead.team == rep_user.team and lead.status == Lead.Status.NEW
    assert LeadAssignment.objects.filter(lead=lead, to_owner=rep_user).exists()


def test_bad_email_names_the_field_and_saves_nothing(client_for, rep_user):
    response = client_for(rep_user).post(reverse("sales:lead-create"), {"name": "X", "email": "not-an-email"})
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not Lead.objects.exists()


def test_views_mine_unassigned_untouched(client_for, manager, rep_user):
    mine = LeadFactory(owner=manager)
    unassigned = LeadFactory(owner=None, team=manager.team)
    stale = LeadFactory(owner=rep_user)
    Lead.objects.filter(pk=stale.pk).update(touched_at=timezone.now() - timedelta(days=10))
    client = client_for(manager)

    def shown(**params):
        return set(client.get(reverse("sales:lead-list"), params).context["page"])

    assert shown(view="mine") == {mine}
    assert shown(view="unassigned") == {unassigned}
    assert shown(view="untouched") == {stale}
    assert shown(view="untouched", days=30) == set()
    assert shown() == {mine, unassigned, stale}


def test_manual_reassignment_is_logged(manager, rep_user, other_rep):
    lead = LeadFactory(owner=rep_user)
    services.lead_assign(actor=manager, lead=lead, owner=other_rep)
    services.lead_assign(actor=manager, lead=lead, owner=rep_user)
    log = list(LeadAssignment.objects.filter(lead=lead).order_by("pk").values_list("from_owner", "to_owner", "method"))
    assert log == [(rep_user.pk, other_rep.pk, "manual"), (other_rep.pk, rep_user.pk, "manual")]


def test_rep_cannot_assign_leads(client_for, rep_user, other_rep):
    lead = LeadFactory(owner=rep_user)
    response = client_for(rep_user).post(reverse("sales:lead-assign", args=[lead.pk]), {"owner": other_rep.pk})
    assert response.status_code == 403


def test_round_robin_deals_evenly_and_continues_where_it_stopped(team, manager):
    reps = [UserFactory(username=f"rr{i}", role=roles.SALES_REP, team=team) for i in range(3)]
    members = [manager, *reps]  # the manager works leads too
    leads = [LeadFactory(owner=None, team=team) for _ in range(10)]
    services.leads_assign_round_robin(
        actor=manager, leads=Lead.objects.filter(pk__in=[x.pk for x in leads[:5]]), team=team
    )
    services.leads_assign_round_robin(
        actor=manager, leads=Lead.objects.filter(pk__in=[x.pk for x in leads[5:]]), team=team
    )
    counts = {user.pk: Lead.objects.filter(owner=user).count() for user in members}
    assert sorted(counts.values()) == [2, 2, 3, 3]
    owners = list(Lead.objects.order_by("pk").values_list("owner_id", flat=True))
    # strict rotation in member order across both batches
    ordered = sorted(u.pk for u in members)
    assert owners == [ordered[i % 4] for i in range(10)]
    assert LeadAssignment.objects.filter(method=LeadAssignment.Method.ROUND_ROBIN).count() == 10
    # everyone but the manager who dealt them hears about their new leads
    assert Notification.objects.filter(user__in=reps).count() == 7
    assert not Notification.objects.filter(user=manager).exists()


def test_round_robin_skips_inactive_members(team, manager):
    away = UserFactory(username="away", role=roles.SALES_REP, team=team, is_active=False)
    leads = [LeadFactory(owner=None, team=team) for _ in range(3)]
    services.leads_assign_round_robin(actor=manager, leads=Lead.objects.filter(pk__in=[x.pk for x in leads]), team=team)
    assert not Lead.objects.filter(owner=away).exists()


def _convert(actor, lead, **kwargs):
    return services.lead_convert(
        actor=actor, lead=lead, opportunity={"name": "首单", "amount": Decimal("5000.00"), "currency": "CNY"}, **kwargs
    )


def test_conversion_creates_customer_contact_and_opportunity(rep_user):
    campaign = Campaign.objects.create(name="春季展会", owner=rep_user)
    lead = LeadFactory(owner=rep_user, name="李娜", company="星辰科技有限公司", phone="13912345678", campaign=campaign)
    lead = _convert(rep_user, lead)
    customer = Customer.objects.get(name="星辰科技有限公司")
    contact = Contact.objects.get(customer=customer)
    opportunity = Opportunity.objects.get(customer=customer)
    assert contact.name == "李娜" and contact.is_primary
    assert opportunity.contact == contact and opportunity.amount == Decimal("5000.00")
    assert opportunity.campaign == campaign and opportunity.owner == rep_user
    assert lead.status == Lead.Status.CONVERTED and lead.customer == customer and lead.opportunity == opportunity


def test_conversion_is_all_or_nothing(rep_user):
    """A failure after the customer and contact exist (here: the opportunity) leaves none of the three."""
    lead = LeadFactory(owner=rep_user, company="半途公司", phone="13912345678")
    with pytest.raises(Exception):  # noqa: B017 - any failure must roll everything back
        services.lead_convert(
            actor=rep_user, lead=lead, opportunity={"name": "x" * 500, "amount": 1, "currency": "CNY"}
        )
    assert not Customer.objects.filter(name="半途公司").exists()
    assert not Contact.objects.exists()
    assert not Opportunity.objects.exists()
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW and lead.customer is None


def test_conversion_stops_at_a_duplicate_customer_until_the_user_chooses(client_for, rep_user):
    existing = CustomerFactory(owner=rep_user, name="星辰科技有限公司", phone="021-11112222")
    lead = LeadFactory(owner=rep_user, company="星辰科技", phone="")
    client = client_for(rep_user)
    data = {"name": "Deal", "amount": "10", "currency": "CNY", "pipeline": 1}
    from sales.models import Pipeline

    data["pipeline"] = Pipeline.objects.get(is_default=True).pk
    response = client.post(reverse("sales:lead-convert", args=[lead.pk]), data)
    assert response.status_code == 200
    assert existing in response.context["duplicates"]
    assert Customer.objects.count() == 1 and not Opportunity.objects.exists()

    response = client.post(reverse("sales:lead-convert", args=[lead.pk]), {**data, "customer": existing.pk})
    assert response.status_code == 302
    assert Customer.objects.count() == 1
    assert Opportunity.objects.get().customer == existing

    other = LeadFactory(owner=rep_user, company="星辰科技", phone="")
    response = client.post(reverse("sales:lead-convert", args=[other.pk]), {**data, "create_anyway": "on"})
    assert response.status_code == 302 and Customer.objects.count() == 2


def test_prospect_signal_creates_one_lead_per_reference(team, manager):
    campaign = Campaign.objects.create(name="Webinar", owner=manager, team=team)
    for _ in range(2):
        prospect_captured.send(
            sender=Campaign, campaign=campaign, name="赵敏", company="明教", email="zm@example.com", phone="",
            source="event", actor=None, reference="registration:1",
        )  # fmt: skip
    lead = Lead.objects.get()
    assert lead.campaign == campaign and lead.reference == "registration:1"
    assert lead.owner == manager  # dealt out round-robin in the campaign's team
    prospect_captured.send(
        sender=Campaign, campaign=campaign, name="赵敏", company="明教", email="ZM@example.com", phone="",
        source="event", actor=None, reference="registration:2",
    )  # fmt: skip
    again = Lead.objects.get(reference="registration:2")
    assert again.duplicate_of == lead


def test_captured_prospect_points_at_an_existing_customer(manager):
    customer = CustomerFactory(owner=manager, email="buyer@example.com")
    campaign = Campaign.objects.create(name="Mail", owner=manager)
    lead = services.lead_capture(campaign=campaign, name="Buyer", email="buyer@example.com", reference="web:9")
    assert lead.customer == customer and lead.owner is None


def test_captured_prospect_with_a_contacts_mobile_written_differently_points_at_that_customer(manager):
    # Contacts' mobiles are stored encrypted: only their keyed hash can find them.
    customer = CustomerFactory(owner=manager, phone="")
    ContactFactory(customer=customer, mobile="13912345678")
    campaign = Campaign.objects.create(name="Expo", owner=manager)
    lead = services.lead_capture(campaign=campaign, name="Li Lei", phone="+86 139-1234-5678", reference="web:10")
    assert lead.customer == customer
