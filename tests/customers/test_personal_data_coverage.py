"""Erasure covers every copy of a customer's personal data: every model's personal fields are cleared by
some registered personal-data source, and erasing a customer clears the ticket requester and lead copies."""

import re

import pytest
from django.apps import apps
from django.db import models

from customers import services
from customers.services.privacy import customer_erase, erased_marker, personal_fields_covered
from marketing.models import Prospect
from sales.models import Lead
from service.models import Ticket, TicketComment
from tests.factories import ContactFactory, CustomerFactory
from tests.marketing.factories import CampaignFactory
from tests.sales.factories import LeadFactory
from tests.service.factories import TicketFactory

PERSONAL = re.compile(r"(^|_)(name|phone|mobile|e_?mail|address|id_number|id_card|birthday|wechat)($|_)")

# Fields whose names look personal but hold no data about a customer or contact.
NOT_PERSONAL = {
    # staff accounts: the users of the CRM, not its data subjects
    "accounts.User": {"first_name", "last_name", "email", "phone"},
    "accounts.Team": {"name"},
    "accounts.Role": {"name"},
    "accounts.KnownSignInAddress": {"address_hash"},  # a staff user's sign-in address, for new-address alerts
    "crm.Job": {"file_name"},  # an uploaded or exported file's name
    # names of things
    "customers.Tag": {"name"},
    "customers.CustomerGroup": {"name"},
    "customers.CarePlan": {"name"},
    "customers.ContactCadence": {"name"},
    "marketing.Campaign": {"name"},
    "marketing.Asset": {"name"},
    "sales.ProductCategory": {"name"},
    "sales.Product": {"name"},
    "sales.Pipeline": {"name"},
    "sales.Stage": {"name"},
    "sales.Opportunity": {"name"},
    "sales.ContractFile": {"name"},
    "service.WorkCalendar": {"name"},
    "service.CalendarDay": {"name"},
    "service.Queue": {"name"},
    "service.TicketAttachment": {"name"},
    "service.ArticleCategory": {"name"},
    "reports.SavedReport": {"name"},
    "reports.SummaryRefresh": {"name"},
    "reports.RollupState": {"name"},  # a rollup's name
    "security.Backup": {"name"},
    "api.ApiToken": {"name"},
}
THIRD_PARTY = {"auth", "contenttypes", "sessions", "admin", "axes", "django_celery_beat", "django_celery_results"}


def _personal_fields(model):
    for field in model._meta.concrete_fields:
        if field.is_relation or not PERSONAL.search(field.name):
            continue
        if isinstance(field, models.CharField | models.TextField | models.EmailField | models.DateField):
            yield field.name


def test_every_personal_field_of_every_model_is_covered_by_a_personal_data_source():
    covered = personal_fields_covered()
    uncovered = []
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label in THIRD_PARTY or label.split(".")[0].startswith("otp"):
            continue
        for name in _personal_fields(model):
            if name not in covered.get(label, set()) and name not in NOT_PERSONAL.get(label, set()):
                uncovered.append(f"{label}.{name}")
    assert uncovered == []


def test_the_walk_finds_the_copies_it_guards():
    """The pattern does reach ticket and lead copies: the coverage test is not vacuous."""
    assert set(_personal_fields(Ticket)) >= {"requester_name", "requester_email", "requester_phone"}
    assert set(_personal_fields(Lead)) >= {"name", "phone", "email"}


@pytest.mark.django_db
def test_erasing_a_customer_clears_ticket_requester_and_lead_copies(manager):
    customer = CustomerFactory(owner=manager, kind="individual", name="王伟", email="wang@private.example")
    ContactFactory(customer=customer, name="王伟", phone="13812345678", email="wang.wei@private.example")
    ticket = TicketFactory(
        customer=customer, requester_name="王伟", requester_email="wang@private.example", requester_phone="13812345678"
    )
    comment = TicketComment.objects.create(ticket=ticket, customer_name="王伟", body="Still broken.")
    converted = LeadFactory(name="王伟", phone="13812345678", email="", customer=customer)
    same_person = LeadFactory(name="王伟", phone="", email="WANG.WEI@private.example")
    stranger = LeadFactory(name="李娜", phone="13900000000", email="li@elsewhere.example")
    prospect = Prospect.objects.create(
        campaign=CampaignFactory(), source="web_form", name="王伟", email="wang@private.example", reference="p-1"
    )

    customer_erase(actor=manager, customer=customer)

    ticket.refresh_from_db()
    assert (ticket.requester_name, ticket.requester_email, ticket.requester_phone) == (erased_marker(), "", "")
    comment.refresh_from_db()
    assert comment.customer_name == erased_marker()
    for lead in (converted, same_person):
        lead.refresh_from_db()
        assert (lead.name, lead.phone, lead.email) == (erased_marker(), "", "")
    stranger.refresh_from_db()
    assert (stranger.name, stranger.phone) == ("李娜", "13900000000")
    prospect.refresh_from_db()
    assert (prospect.name, prospect.email) == (erased_marker(), "")


@pytest.mark.django_db
def test_erasure_clears_encrypted_id_number_and_mobile_hashes(manager):
    customer = services.customer_create(
        actor=manager, data={"name": "张三", "kind": "individual", "id_number": "11010519491231002X"}
    )
    contact = ContactFactory(customer=customer, mobile="13812345678")
    customer_erase(actor=manager, customer=customer)
    customer.refresh_from_db()
    contact.refresh_from_db()
    assert (customer.id_number, customer.id_number_hash) == ("", "")
    assert (contact.mobile, contact.mobile_hash) == ("", "")
    assert not customer.history.exclude(id_number_hash="").exists()
