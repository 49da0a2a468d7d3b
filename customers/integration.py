"""Where the customers app plugs its own records into its registries: the customer 360 timeline, the
churn-risk signals and the personal-data sources. Connected once from
:meth:`customers.apps.CustomersConfig.ready`, as every app's ``integration.register()`` is."""

from django.utils.translation import gettext_lazy as _

from crm.models import BehaviourLog

from .api import register_webhooks
from .models import CareAction, Communication, Contact, Customer, FollowUpTask
from .services.segments import contact_recency_signal, register_churn_signal
from .timeline import TimelineSource, register_model_source, register_timeline_source


def register():
    register_webhooks()
    register_model_source(
        Communication, kind="communication", label=_("Communication"), icon="bi-chat-left-text", at="occurred_at",
        title="subject", related=("contact", "owner"), scoped=False,
        template="customers/partials/timeline_communication.html",
    )  # fmt: skip
    register_model_source(
        FollowUpTask, kind="task", label=_("Follow-up task"), icon="bi-check2-square", at="created_at", title="title",
        related=("assignee",), scoped=False, template="customers/partials/timeline_task.html",
    )  # fmt: skip
    register_model_source(
        CareAction, kind="care", label=_("Care action"), icon="bi-heart", at="created_at", title="channel",
        related=("plan", "cadence", "assignee"), scoped=False, template="customers/partials/timeline_care.html",
    )  # fmt: skip
    register_model_source(
        Contact, kind="contact", label=_("Contact added"), icon="bi-person-plus", at="created_at", title="name",
        scoped=False, template="customers/partials/timeline_contact.html",
    )  # fmt: skip
    register_timeline_source(
        TimelineSource(
            kind="change",
            label=_("Record changed"),
            icon="bi-pencil-square",
            rows=lambda customer, user: Customer.history.filter(id=customer.pk),
            at="history_date",
            title="history_type",
            id_field="history_id",
            load=lambda ids: Customer.history.filter(history_id__in=ids).select_related("history_user"),
            template="customers/partials/timeline_change.html",
        )
    )
    # Field changes are already in the history; the behaviour log adds what history does not hold:
    # exports, erasure, bulk updates.
    register_timeline_source(
        TimelineSource(
            kind="log",
            label=_("Activity"),
            icon="bi-journal-text",
            rows=lambda customer, user: BehaviourLog.objects.filter(
                object_type=Customer._meta.label_lower, object_id=str(customer.pk)
            ).exclude(action__in=[BehaviourLog.Action.CREATE, BehaviourLog.Action.UPDATE]),
            at="at",
            title="action",
            load=lambda ids: BehaviourLog.objects.filter(pk__in=ids),
            template="customers/partials/timeline_log.html",
        )
    )
    register_churn_signal(
        "customers.contact_recency",
        contact_recency_signal,
        labels={
            "no_contact_90d": _("No contact for 90 days"),
            "no_contact_180d": _("No contact for 180 days"),
            # Reasons the sales and service apps will report; labelled here so the page can show them.
            "no_recent_purchase": _("No recent purchase"),
            "falling_order_value": _("Falling order value"),
            "open_complaints": _("Open complaints"),
        },
    )
