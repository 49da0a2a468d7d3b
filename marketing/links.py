"""The signed links marketing hands out (``crm.links`` makes and reads them): invitation, cancel and survey
links expire; the embeddable web-to-lead form, an event's open registration link and unsubscribe links do
not, since they are printed and pasted into sites.
"""

from django.urls import reverse

from crm.links import BadLink, LinkPurpose, absolute, make_token, read_token

__all__ = ["BadLink", "make_token", "read_token"]

INVITATION = LinkPurpose("marketing.invitation")
EVENT = LinkPurpose("marketing.event", expires=False)
CANCEL = LinkPurpose("marketing.cancel")
SURVEY = LinkPurpose("marketing.survey")
UNSUBSCRIBE = LinkPurpose("marketing.unsubscribe", expires=False)
WEB_FORM = LinkPurpose("marketing.web-form", expires=False)


def invitation_url(invitation) -> str:
    return absolute(reverse("marketing:public-register", args=[make_token(INVITATION, invitation.pk)]))


def event_url(event) -> str:
    return absolute(reverse("marketing:public-event", args=[make_token(EVENT, event.pk)]))


def cancel_url(registration) -> str:
    return absolute(reverse("marketing:public-cancel", args=[make_token(CANCEL, registration.pk)]))


def survey_url(registration) -> str:
    return absolute(reverse("marketing:public-survey", args=[make_token(SURVEY, registration.pk)]))


def unsubscribe_url(customer) -> str:
    return absolute(reverse("marketing:public-unsubscribe", args=[make_token(UNSUBSCRIBE, customer.pk)]))


def web_form_url(campaign) -> str:
    return absolute(reverse("marketing:public-web-form", args=[make_token(WEB_FORM, campaign.pk)]))
