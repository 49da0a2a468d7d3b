"""A drop (or the select) on a lost column asks why before the deal is closed."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sales.models import Opportunity
from sales.services import opportunities as services
from tests.factories import CustomerFactory

from .factories import OpportunityFactory, default_pipeline, open_stages

pytestmark = pytest.mark.django_db


def _lost_stage():
    return default_pipeline().stages.get(is_lost=True)


def _deal(user):
    return OpportunityFactory(owner=user, customer=CustomerFactory(owner=user), stage=open_stages()[0])


def test_a_drop_on_lost_answers_with_a_reason_prompt_and_keeps_the_deal_open(client_for, rep_user):
    deal = _deal(rep_user)
    url = reverse("sales:opportunity-move", args=[deal.pk])
    response = client_for(rep_user).post(url, {"stage": _lost_stage().pk, "version": 1}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and 'id="lost-reason"' in page and 'id="board"' in page
    assert f'hx-post="{url}"' in page
    deal.refresh_from_db()
    assert deal.status == Opportunity.Status.OPEN and deal.stage == open_stages()[0]


def test_the_prompt_with_a_reason_closes_the_deal_as_lost(client_for, rep_user):
    deal = _deal(rep_user)
    client_for(rep_user).post(
        reverse("sales:opportunity-move", args=[deal.pk]),
        {"stage": _lost_stage().pk, "version": 1, "reason": "预算取消"},
        HTTP_HX_REQUEST="true",
    )
    deal.refresh_from_db()
    assert deal.status == Opportunity.Status.LOST and deal.close_reason == "预算取消"


def test_an_empty_reason_asks_again_saying_what_is_missing(client_for, rep_user):
    deal = _deal(rep_user)
    response = client_for(rep_user).post(
        reverse("sales:opportunity-move", args=[deal.pk]),
        {"stage": _lost_stage().pk, "version": 1, "reason": "  "},
        HTTP_HX_REQUEST="true",
    )
    assert "is-invalid" in response.content.decode()
    deal.refresh_from_db()
    assert deal.status == Opportunity.Status.OPEN


def test_the_select_fallback_without_javascript_shows_a_reason_page(client_for, rep_user):
    deal = _deal(rep_user)
    response = client_for(rep_user).post(
        reverse("sales:opportunity-move", args=[deal.pk]), {"stage": _lost_stage().pk, "version": 1}
    )
    assert response.status_code == 200 and "sales/opportunity_lost_reason.html" in [t.name for t in response.templates]
    assert "hx-post" not in response.content.decode().split('id="lost-reason"')[1]
    deal.refresh_from_db()
    assert deal.status == Opportunity.Status.OPEN


def test_the_service_refuses_a_lost_move_without_a_reason(rep_user):
    deal = _deal(rep_user)
    with pytest.raises(ValidationError) as caught:
        services.opportunity_move(actor=rep_user, opportunity=deal, stage=_lost_stage())
    assert "reason" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.opportunity_update(actor=rep_user, opportunity=deal, data={}, version=1, stage=_lost_stage())
