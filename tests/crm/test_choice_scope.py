"""Every choice field that offers records, users or teams offers only what the acting user may see, and a
forged post of anything else is a field error (the lead form used to offer every active campaign)."""

import pytest
from django import forms
from django.urls import reverse

from customers.forms import BulkActionForm, CustomerForm, FollowUpTaskForm
from customers.models import Customer
from marketing import selectors as marketing_selectors
from marketing.forms import AssetForm, EventForm
from marketing.models import Campaign
from sales.forms import (
    ContractForm,
    ForecastForm,
    LeadAssignForm,
    LeadBulkForm,
    LeadForm,
    OpportunityForm,
    OrderForm,
    PerformanceForm,
    TargetForm,
)  # fmt: skip
from sales.models import Lead
from service import selectors as service_selectors
from service.forms import TicketForm
from tests.factories import ContactFactory, CustomerFactory
from tests.marketing.factories import CampaignFactory, EventFactory
from tests.sales.factories import LeadFactory, OpportunityFactory, OrderFactory
from tests.service.factories import QueueFactory

pytestmark = pytest.mark.django_db


def _offered(field) -> set[str]:
    values = (
        {str(getattr(value, "value", value)) for value, _label in field.widget.choices}
        if hasattr(field.widget, "choices")
        else set()
    )
    return values | {str(pk) for pk in field.queryset.values_list("pk", flat=True)}


def assert_scoped(make_form, field: str, inside, outside):
    """``make_form(data)`` builds the form; ``inside`` must be offered, ``outside`` neither offered nor accepted."""
    form = make_form(None)
    offered = _offered(form.fields[field])
    assert str(inside.pk) in offered
    assert str(outside.pk) not in offered
    value = [outside.pk] if isinstance(form.fields[field], forms.ModelMultipleChoiceField) else outside.pk
    forged = make_form({field: value})
    forged.is_valid()
    assert field in forged.errors, f"{field}: a forged choice was accepted"


def test_lead_form_offers_only_campaigns_the_user_sees(rep_user, far_rep):
    mine = CampaignFactory(owner=rep_user, status=Campaign.Status.ACTIVE)
    theirs = CampaignFactory(owner=far_rep, status=Campaign.Status.ACTIVE)
    assert_scoped(lambda data: LeadForm(data, user=rep_user), "campaign", mine, theirs)


def test_a_forged_campaign_on_the_lead_page_is_a_field_error(client_for, rep_user, far_rep):
    theirs = CampaignFactory(owner=far_rep, status=Campaign.Status.ACTIVE, name="Hidden Expo")
    client = client_for(rep_user)
    page = client.get(reverse("sales:lead-create"))
    assert "Hidden Expo" not in page.content.decode()
    response = client.post(reverse("sales:lead-create"), {"name": "Li", "company": "Acme", "campaign": theirs.pk})
    assert response.status_code == 200
    assert "campaign" in response.context["form"].errors
    assert not Lead.objects.exists()


def test_a_lead_keeps_the_campaign_it_already_has(rep_user, far_rep):
    theirs = CampaignFactory(owner=far_rep, status=Campaign.Status.ACTIVE)
    lead = LeadFactory(owner=rep_user, campaign=theirs)
    form = LeadForm(instance=lead, user=rep_user)
    assert str(theirs.pk) in _offered(form.fields["campaign"])


def test_opportunity_form_scopes_customer_contact_campaign_and_owner(rep_user, far_rep):
    customer, other = CustomerFactory(owner=rep_user), CustomerFactory(owner=far_rep)
    make = lambda data: OpportunityForm(data, user=rep_user)  # noqa: E731
    assert_scoped(make, "customer", customer, other)
    assert_scoped(make, "contact", ContactFactory(customer=customer), ContactFactory(customer=other))
    assert_scoped(make, "campaign", CampaignFactory(owner=rep_user), CampaignFactory(owner=far_rep))
    assert_scoped(make, "owner", rep_user, far_rep)


def test_order_and_contract_forms_scope_their_links(rep_user, far_rep):
    mine, theirs = CustomerFactory(owner=rep_user), CustomerFactory(owner=far_rep)
    assert_scoped(lambda data: OrderForm(data, user=rep_user), "customer", mine, theirs)
    assert_scoped(
        lambda data: OrderForm(data, user=rep_user),
        "opportunity",
        OpportunityFactory(customer=mine),
        OpportunityFactory(customer=theirs),
    )
    assert_scoped(
        lambda data: ContractForm(data, user=rep_user),
        "order",
        OrderFactory(customer=mine),
        OrderFactory(customer=theirs),
    )


def test_team_filters_of_forecast_and_performance_offer_only_visible_teams(rep_user, far_rep, team, other_team):
    assert_scoped(lambda data: PerformanceForm(data, user=rep_user), "team", team, other_team)
    assert_scoped(lambda data: ForecastForm(data, user=rep_user), "team", team, other_team)
    assert_scoped(lambda data: ForecastForm(data, user=rep_user), "owner", rep_user, far_rep)


def test_lead_assignment_and_target_forms_offer_only_visible_people_and_teams(manager, far_rep, team, other_team):
    assert_scoped(lambda data: LeadAssignForm(data, user=manager), "owner", manager, far_rep)
    assert_scoped(lambda data: LeadBulkForm(data, user=manager), "team", team, other_team)
    assert_scoped(lambda data: TargetForm(data, user=manager), "team", team, other_team)
    assert_scoped(lambda data: TargetForm(data, user=manager), "user", manager, far_rep)


def test_customer_forms_offer_only_visible_owners_and_customers(rep_user, far_rep):
    assert_scoped(lambda data: CustomerForm(data, user=rep_user), "owner", rep_user, far_rep)
    assert_scoped(lambda data: FollowUpTaskForm(data, user=rep_user), "assignee", rep_user, far_rep)
    mine, theirs = CustomerFactory(owner=rep_user), CustomerFactory(owner=far_rep)
    customers = Customer.objects.visible_to(rep_user)
    form = BulkActionForm({"action": "add_tag", "ids": [theirs.pk]}, user=rep_user, customers=customers)
    assert not form.is_valid() and "ids" in form.errors
    assert str(mine.pk) in _offered(form.fields["ids"]) and str(theirs.pk) not in _offered(form.fields["ids"])


def test_event_and_asset_forms_offer_only_visible_campaigns_and_events(rep_user, far_rep):
    mine, theirs = CampaignFactory(owner=rep_user), CampaignFactory(owner=far_rep)
    campaigns = marketing_selectors.campaign_choices(user=rep_user)
    events = marketing_selectors.event_choices(user=rep_user)
    assert_scoped(lambda data: EventForm(data, user=rep_user, campaigns=campaigns), "campaign", mine, theirs)
    make_asset = lambda data: AssetForm(data, campaigns=campaigns, events=events)  # noqa: E731
    assert_scoped(make_asset, "campaigns", mine, theirs)
    assert_scoped(make_asset, "events", EventFactory(campaign=mine), EventFactory(campaign=theirs))


def test_ticket_form_offers_only_visible_orders(rep_user, far_rep):
    customer = CustomerFactory(owner=rep_user)
    queues = service_selectors.queues_for(user=rep_user)
    QueueFactory(agents=[rep_user])

    def make(data):
        agents = service_selectors.agents_of(queues=queues)
        return TicketForm(data, customer=customer, queues=queues, agents=agents, user=rep_user)

    mine = OrderFactory(customer=customer)
    theirs = OrderFactory(customer=customer, owner=far_rep, team=far_rep.team)
    assert_scoped(make, "order", mine, theirs)
