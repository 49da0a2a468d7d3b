"""``{% lead_rows page bulk %}`` and ``{% opportunity_rows page %}``: the rows of the lead and opportunity lists'
tables (sales/lead_list.html, sales/opportunity_list.html), drawn in Python as crm/table_rows.py describes.

The markup is the templates' own loop, character for character (tests/sales/test_list_rows.py draws both).
"""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from crm.table_rows import choice_labels, date_cell, detail_url, escape

from ..models import Lead, Opportunity

register = template.Library()


def _empty(text: str) -> str:
    return mark_safe(f'\n    <tr><td colspan="7" class="text-center text-muted py-4">{escape(text)}</td></tr>\n  ')  # noqa: S308 - escaped


@register.simple_tag
def lead_rows(page, bulk=None):
    """``bulk``: the bulk form, when the user may use it (each row then has its check box)."""
    leads = list(page)
    if not leads:
        return _empty(gettext("No leads match."))
    url = detail_url("sales:lead-detail")
    statuses = choice_labels(Lead.Status.choices)
    touched = date_cell("SHORT_DATE_FORMAT")
    unassigned = escape(gettext("Unassigned"))
    parts = []
    for lead in leads:
        name = escape(lead.name)
        status = lead.status
        status = statuses[status] if status in statuses else escape(status)
        campaign = lead.campaign
        owner = lead.owner
        select = (
            f'<td><input type="checkbox" class="form-check-input row-select" name="ids" value="{lead.pk}"'
            f' aria-label="{name}"></td>'
            if bulk
            else ""
        )
        parts.append(
            f"\n    <tr>{select}"
            f'\n      <td><a href="{url(lead.pk)}">{name}</a></td><td>{escape(lead.company)}</td><td>{status}</td>'
            f'\n      <td class="d-none d-md-table-cell">{escape(campaign) if campaign else ""}</td>'
            f"<td>{unassigned if owner is None else escape(owner)}</td>"
            f'\n      <td class="d-none d-md-table-cell">{touched(lead.touched_at)}</td></tr>\n  '
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@register.simple_tag
def opportunity_rows(page):
    opportunities = list(page)
    if not opportunities:
        return _empty(gettext("No opportunities match."))
    url = detail_url("sales:opportunity-detail")
    statuses = choice_labels(Opportunity.Status.choices)
    close = date_cell("SHORT_DATE_FORMAT")
    parts = []
    for opportunity in opportunities:
        status = opportunity.status
        badge = ""
        if status != "open":
            label = statuses[status] if status in statuses else escape(status)
            colour = "success" if status == "won" else "secondary"
            badge = f' <span class="badge text-bg-{colour}">{label}</span>'
        amount = conditional_escape(intcomma(floatformat(opportunity.amount, 2)))
        parts.append(
            f'\n    <tr><td><a href="{url(opportunity.pk)}">{escape(opportunity.name)}</a></td>'
            f"<td>{escape(opportunity.customer.name)}</td>"
            f"\n      <td>{escape(opportunity.stage.name)}{badge}</td>"
            f'\n      <td class="text-end text-nowrap">{amount} {escape(opportunity.currency)}</td>'
            f'\n      <td class="d-none d-md-table-cell">{close(opportunity.expected_close_date)}</td>'
            f"<td>{escape(opportunity.owner)}</td>"
            f'\n      <td class="d-none d-lg-table-cell">{escape(opportunity.next_step)}</td></tr>\n  '
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
