"""The signed links the service desk hands out (``crm.links`` makes and reads them): the ticket tracking
page and the satisfaction survey, each a purpose of its own so a tracking link cannot open a survey."""

from django.urls import reverse

from crm.links import LinkPurpose, absolute, make_token

TRACKING = LinkPurpose("service.ticket.tracking")
SURVEY = LinkPurpose("service.ticket.survey")


def tracking_token(ticket) -> str:
    return make_token(TRACKING, ticket.pk)


def survey_token(ticket) -> str:
    return make_token(SURVEY, ticket.pk)


def tracking_url(ticket) -> str:
    return absolute(reverse("service:public-ticket-track", args=[tracking_token(ticket)]))


def survey_url(ticket) -> str:
    return absolute(reverse("service:public-survey", args=[survey_token(ticket)]))
