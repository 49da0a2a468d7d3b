"""What the service app adds to the customers app through its registries (see customers/timeline.py and
customers/services/segments.py): tickets and satisfaction answers on the customer 360 timeline, and
open complaints as a churn-risk signal, and the requester's details copied onto tickets in the customer's
personal-data export and erasure. Connected once from :meth:`service.apps.ServiceConfig.ready`."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.consent import CONSENT_PERSONAL_FIELDS, consents_erase, consents_export
from customers.quicklinks import QuickLink, register_quick_link
from customers.services.privacy import erased_marker, register_personal_data_source
from customers.services.segments import register_churn_signal
from customers.timeline import register_model_source

from .api import register_webhooks
from .models import SatisfactionSurvey, Ticket, TicketComment

# Points an open complaint adds to a customer's churn risk; two or more add more.
OPEN_COMPLAINT_POINTS = 25
OPEN_COMPLAINTS_POINTS = 40


def open_complaints_signal(customer_ids, today):
    rows = (
        Ticket.objects.filter(customer_id__in=customer_ids, type=Ticket.Type.COMPLAINT, status__in=Ticket.OPEN_STATUSES)
        .order_by()
        .values_list("customer_id")
        .annotate(n=Count("pk"))
    )
    return {
        customer_id: [
            ("open_complaints", OPEN_COMPLAINTS_POINTS) if n > 1 else ("open_complaint", OPEN_COMPLAINT_POINTS)
        ]
        for customer_id, n in rows
    }


def export_tickets(customer) -> list:
    return list(
        Ticket.objects.filter(customer=customer)
        .order_by("pk")
        .values("id", "subject", "requester_name", "requester_email", "requester_phone", "created_at")
    )


def erase_tickets(customer) -> None:
    marker = erased_marker()
    tickets = Ticket.objects.filter(customer=customer)
    tickets.exclude(requester_name="").update(requester_name=marker)
    tickets.update(requester_email="", requester_phone="")
    TicketComment.objects.filter(ticket__customer=customer).exclude(customer_name="").update(customer_name=marker)
    SatisfactionSurvey.objects.filter(customer=customer).update(comment="")


def register():
    register_webhooks()
    register_personal_data_source(
        "ticket_consents",
        export=lambda customer: consents_export(Ticket.objects.filter(customer=customer)),
        erase=lambda customer: consents_erase(Ticket.objects.filter(customer=customer)),
        fields=CONSENT_PERSONAL_FIELDS,
    )
    register_personal_data_source(
        "service_tickets",
        export=export_tickets,
        erase=erase_tickets,
        fields={
            "service.Ticket": ("requester_name", "requester_email", "requester_phone"),
            "service.TicketComment": ("customer_name",),
            "service.SatisfactionSurvey": ("comment",),
        },
    )
    register_quick_link(
        QuickLink(
            key="ticket",
            label=_("New ticket"),
            icon="bi-life-preserver",
            url=lambda customer: reverse("service:ticket-create", args=[customer.pk]),
            permission="service.add_ticket",
            open_label=_("Open tickets"),
            view_permission="service.view_ticket",
            open_items=lambda customer, user: (
                Ticket.objects.visible_to(user)
                .filter(customer=customer, status__in=Ticket.OPEN_STATUSES)
                .order_by("-created_at", "-pk")
            ),
        )
    )
    register_model_source(
        Ticket, kind="ticket", label=_("Service ticket"), icon="bi-life-preserver", at="created_at", title="subject",
        related=("assignee",), template="service/partials/timeline_ticket.html",
    )  # fmt: skip
    register_model_source(
        SatisfactionSurvey, kind="survey", label=_("Satisfaction survey"), icon="bi-emoji-smile", at="answered_at",
        title="comment", related=("ticket",), template="service/partials/timeline_survey.html",
    )  # fmt: skip
    register_churn_signal(
        "service.open_complaints",
        open_complaints_signal,
        labels={"open_complaint": _("An open complaint"), "open_complaints": _("Several open complaints")},
    )
