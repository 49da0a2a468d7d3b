"""Marketing's part in a customer's personal-data export and erasure (customers.services.privacy)."""

from customers.services.privacy import erased_marker, register_personal_data_source

from .models import Invitation, Registration


def export(customer) -> list:
    rows = Registration.objects.filter(customer=customer).select_related("event").order_by("pk")
    return [
        {
            "event": row.event.theme,
            "name": row.name,
            "company": row.company,
            "email": row.email,
            "phone": row.phone,
            "status": row.status,
            "registered_at": row.registered_at,
            "checked_in_at": row.checked_in_at,
        }
        for row in rows
    ]


def erase(customer) -> None:
    marker = erased_marker()
    Registration.objects.filter(customer=customer).update(name=marker, company="", email="", phone="")
    Invitation.objects.filter(customer=customer).update(name=marker, email="", phone="")


def register():
    register_personal_data_source("event_registrations", export=export, erase=erase)
