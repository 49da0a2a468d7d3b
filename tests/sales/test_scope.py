"""Record scope on every sales page: a record outside the user's scope answers 404, never its data."""

import pytest
from django.urls import reverse

from sales.models import ContractFile
from tests.factories import CustomerFactory

from .factories import ContractFactory, LeadFactory, OpportunityFactory, OrderFactory, OrderLineFactory, open_stages

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign(far_rep, settings, tmp_path):
    """Records of a rep in another team, with one of each kind."""
    settings.MEDIA_ROOT = tmp_path
    customer = CustomerFactory(owner=far_rep)
    opportunity = OpportunityFactory(customer=customer, owner=far_rep)
    order = OrderFactory(customer=customer, owner=far_rep)
    line = OrderLineFactory(order=order)
    contract = ContractFactory(customer=customer, owner=far_rep)
    attachment = ContractFile(contract=contract, name="a.pdf", size=4)
    attachment.file.save("a.pdf", __import__("io").BytesIO(b"%PDF"), save=False)
    attachment.save()
    from sales.models import OpportunityLine

    opp_line = OpportunityLine.objects.create(opportunity=opportunity, product=line.product, quantity=1, unit_price=1)
    return {
        "lead": LeadFactory(owner=far_rep),
        "opportunity": opportunity,
        "opp_line": opp_line,
        "order": order,
        "contract": contract,
        "file": attachment,
    }


GETS = [
    ("sales:lead-detail", "lead"),
    ("sales:lead-update", "lead"),
    ("sales:lead-convert", "lead"),
    ("sales:opportunity-detail", "opportunity"),
    ("sales:opportunity-update", "opportunity"),
    ("sales:order-detail", "order"),
    ("sales:order-update", "order"),
    ("sales:order-pdf", "order"),
    ("sales:contract-detail", "contract"),
    ("sales:contract-update", "contract"),
]
POSTS = [
    ("sales:lead-status", "lead", {"status": "contacted"}),
    ("sales:lead-assign", "lead", {}),
    ("sales:opportunity-move", "opportunity", {}),
    ("sales:opportunity-close", "opportunity", {"outcome": "won"}),
    ("sales:opportunity-line-add", "opportunity", {}),
    ("sales:order-confirm", "order", {}),
    ("sales:order-cancel", "order", {}),
    ("sales:order-advance", "order", {"status": "shipped"}),
    ("sales:contract-file-add", "contract", {}),
]


@pytest.mark.parametrize(("name", "key"), GETS)
def test_pages_of_records_out_of_scope_are_404(client_for, rep_user, manager, foreign, name, key):
    for user in (rep_user, manager):
        response = client_for(user).get(reverse(name, args=[foreign[key].pk]))
        assert response.status_code == 404, (user, name)


@pytest.mark.parametrize(("name", "key", "data"), POSTS)
def test_actions_on_records_out_of_scope_are_404(client_for, manager, foreign, name, key, data):
    response = client_for(manager).post(reverse(name, args=[foreign[key].pk]), data)
    assert response.status_code == 404


def test_files_and_lines_out_of_scope_are_404(client_for, manager, foreign):
    client = client_for(manager)
    contract, attachment = foreign["contract"], foreign["file"]
    assert client.get(reverse("sales:contract-file", args=[contract.pk, attachment.pk])).status_code == 404
    opportunity, line = foreign["opportunity"], foreign["opp_line"]
    url = reverse("sales:opportunity-line-delete", args=[opportunity.pk, line.pk])
    assert client.post(url).status_code == 404


def test_lists_and_board_leave_out_records_out_of_scope(client_for, manager, rep_user, foreign):
    mine = OpportunityFactory(customer=CustomerFactory(owner=rep_user), owner=rep_user, stage=open_stages()[0])
    client = client_for(manager)
    assert list(client.get(reverse("sales:opportunity-list")).context["page"]) == [mine]
    cards = [c for col in client.get(reverse("sales:opportunity-board")).context["board"]["columns"] for c in col.cards]
    assert cards == [mine]
    assert list(client.get(reverse("sales:lead-list")).context["page"]) == []
    assert list(client.get(reverse("sales:order-list")).context["page"]) == []
    assert list(client.get(reverse("sales:contract-list")).context["page"]) == []
    assert list(client.get(reverse("sales:contract-expiring")).context["page"]) == []


def test_the_team_sees_its_records_and_a_rep_only_their_own(client_for, manager, rep_user, other_rep):
    theirs = OpportunityFactory(customer=CustomerFactory(owner=other_rep), owner=other_rep)
    assert client_for(manager).get(reverse("sales:opportunity-detail", args=[theirs.pk])).status_code == 200
    assert client_for(rep_user).get(reverse("sales:opportunity-detail", args=[theirs.pk])).status_code == 404


def test_bulk_assign_ignores_leads_out_of_scope(client_for, manager, foreign):
    lead = foreign["lead"]
    client_for(manager).post(reverse("sales:lead-bulk"), {"ids": [lead.pk], "action": "assign", "owner": manager.pk})
    lead.refresh_from_db()
    assert lead.owner != manager


def test_service_agent_without_sales_permissions_is_refused(client_for, db):
    from accounts import roles
    from tests.factories import UserFactory

    agent = UserFactory(username="svc", role=roles.SERVICE_AGENT)
    client = client_for(agent)
    assert client.get(reverse("sales:lead-list")).status_code == 403
    assert client.get(reverse("sales:opportunity-board")).status_code == 403
    assert client.get(reverse("sales:product-list")).status_code == 200


def test_targets_forecast_and_performance_stay_in_scope(client_for, rep_user, far_rep):
    from django.utils import timezone

    from sales.models import Opportunity, SalesTarget

    today = timezone.localdate().replace(day=1)
    SalesTarget.objects.create(user=rep_user, period="month", period_start=today, amount=100)
    SalesTarget.objects.create(user=far_rep, period="month", period_start=today, amount=999)
    theirs = OpportunityFactory(customer=CustomerFactory(owner=far_rep), owner=far_rep, amount=5000)
    Opportunity.objects.filter(pk=theirs.pk).update(status="won", closed_at=timezone.now())
    client = client_for(rep_user)
    assert [t.user for t in client.get(reverse("sales:target-list")).context["page"]] == [rep_user]
    result = client.get(reverse("sales:forecast")).context["result"]
    assert result["totals"]["target"] == 100 and result["totals"]["won"] == 0
    assert client.get(reverse("sales:performance")).context["result"]["rows"] == []
    # naming someone out of scope in the forecast filter is refused by the form, not shown
    response = client.get(reverse("sales:forecast"), {"owner": far_rep.pk})
    assert response.context["result"]["totals"]["won"] == 0


def test_malformed_ids_are_404_not_errors(client_for, manager, rep_user):
    deal = OpportunityFactory(customer=CustomerFactory(owner=rep_user), owner=rep_user)
    client = client_for(manager)
    assert client.post(reverse("sales:opportunity-move", args=[deal.pk]), {"stage": "x"}).status_code == 404
    assert client.get(reverse("sales:opportunity-create"), {"customer": "1 or 1=1"}).status_code == 404
    assert client.get(reverse("sales:order-create"), {"opportunity": "abc"}).status_code == 404
    assert client.get(reverse("sales:contract-create"), {"order": "-1"}).status_code == 404
