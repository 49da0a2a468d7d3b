"""The columns a customer export may have; their labels are the headers the import recognises."""

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import OuterRef, Subquery, TextField
from django.db.models.functions import Collate
from django.utils.translation import gettext_lazy

from crm.importexport import ExportField, choice_display

from ..models import Customer


def _tag_names():
    """Tag names of each customer in one cell, ``"a, b"`` in code-point order: a subquery per row, so the names
    come with the row (PostgreSQL writes the export's cells; ``crm.importexport.sqlexport``)."""
    links = Customer.tags.through.objects.filter(customer_id=OuterRef("pk")).order_by().values("customer_id")
    names = links.annotate(names=StringAgg("tag__name", ", ", order_by=Collate("tag__name", "C"))).values("names")
    return Subquery(names, output_field=TextField())


def export_fields() -> list[ExportField]:
    """The columns a customer export may have; their labels are the headers the import recognises."""
    return [
        ExportField("name", gettext_lazy("Name"), "name"),
        ExportField("kind", gettext_lazy("Type"), "kind", choice_display(Customer.Kind.choices)),
        ExportField("level", gettext_lazy("Level"), "level", choice_display(Customer.Level.choices)),
        ExportField(
            "lifecycle_stage",
            gettext_lazy("Lifecycle stage"),
            "lifecycle_stage",
            choice_display(Customer.Lifecycle.choices),
        ),
        ExportField("source", gettext_lazy("Source"), "source", choice_display(Customer.Source.choices)),
        ExportField("industry", gettext_lazy("Industry"), "industry", choice_display(Customer.Industry.choices)),
        ExportField("phone", gettext_lazy("Phone"), "phone"),
        ExportField("email", gettext_lazy("E-mail"), "email"),
        ExportField("website", gettext_lazy("Website"), "website"),
        ExportField("address", gettext_lazy("Address"), "address"),
        ExportField("owner", gettext_lazy("Owner"), "owner__username"),
        ExportField("team", gettext_lazy("Team"), "team__name"),
        ExportField("tags", gettext_lazy("Tags"), _tag_names()),
        ExportField("notes", gettext_lazy("Notes"), "notes"),
        ExportField("quality_score", gettext_lazy("Data quality"), "quality_score"),
        ExportField("created_at", gettext_lazy("Created"), "created_at"),
        ExportField("updated_at", gettext_lazy("Updated"), "updated_at"),
    ]


DEFAULT_EXPORT_FIELDS = [
    "name", "kind", "level", "lifecycle_stage", "source", "industry", "phone", "email", "address", "owner", "tags",
]  # fmt: skip
