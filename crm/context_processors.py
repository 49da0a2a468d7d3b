from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# The sidebar, one section per module in the order of the design's domains. Each entry names the
# permission that opens it; a section with no entry the user may open is not shown.
NAVIGATION = [
    (None, [
        ("home", _("Home"), "bi-house", None),
    ]),
    (_("Customers"), [
        ("customers:customer-list", _("Customers"), "bi-buildings", "customers.view_customer"),
        ("customers:contact-list", _("Contacts"), "bi-person-lines-fill", "customers.view_contact"),
        ("customers:communication-list", _("Communications"), "bi-chat-left-text", "customers.view_communication"),
        ("customers:task-list", _("My tasks"), "bi-check2-square", "customers.view_followuptask"),
        ("customers:care-list", _("Customer care"), "bi-heart", "customers.view_careaction"),
        ("customers:duplicate-list", _("Duplicates"), "bi-intersect", "customers.merge_customer"),
    ]),
    (_("Sales"), [
        ("sales:lead-list", _("Leads"), "bi-person-plus", "sales.view_lead"),
        ("sales:opportunity-board", _("Pipeline board"), "bi-kanban", "sales.view_opportunity"),
        ("sales:opportunity-list", _("Opportunities"), "bi-funnel", "sales.view_opportunity"),
        ("sales:order-list", _("Orders"), "bi-receipt", "sales.view_order"),
        ("sales:contract-list", _("Contracts"), "bi-file-earmark-text", "sales.view_contract"),
        ("sales:product-list", _("Products"), "bi-box-seam", "sales.view_product"),
        ("sales:forecast", _("Sales forecast"), "bi-graph-up", "sales.view_salestarget"),
        ("sales:performance", _("Sales performance"), "bi-bar-chart", "sales.view_opportunity"),
    ]),
    (_("Marketing"), [
        ("marketing:campaign-list", _("Campaigns"), "bi-megaphone", "marketing.view_campaign"),
        ("marketing:event-list", _("Events"), "bi-calendar-event", "marketing.view_event"),
        ("marketing:email-list", _("E-mail campaigns"), "bi-envelope-paper", "marketing.view_emailcampaign"),
        ("marketing:asset-list", _("Marketing assets"), "bi-images", "marketing.view_asset"),
        ("marketing:effect-comparison", _("Campaign effect"), "bi-graph-up-arrow", "marketing.view_campaign"),
    ]),
    (_("Service"), [
        ("service:ticket-list", _("Tickets"), "bi-life-preserver", "service.view_ticket"),
        ("service:article-list", _("Knowledge base"), "bi-journal-bookmark", "service.view_article"),
        ("service:statistics", _("Service statistics"), "bi-graph-up", "service.view_service_statistics"),
    ]),
    (_("Reports"), [
        ("reports:dashboard", _("Dashboard"), "bi-bar-chart-line", "reports.view_dashboard"),
        ("reports:template-list", _("Report templates"), "bi-file-earmark-bar-graph", "reports.view_report_templates"),
        ("reports:report-builder", _("Custom reports"), "bi-table", "reports.add_savedreport"),
        ("reports:saved-report-list", _("Saved reports"), "bi-bookmark", "reports.view_savedreport"),
        ("reports:statistics", _("Statistics"), "bi-graph-up", "reports.view_statistics"),
    ]),
    (_("Administration"), [
        ("security:behaviour-log", _("Behaviour log"), "bi-journal-text", "crm.view_behaviourlog"),
        ("security:backup-list", _("Backups"), "bi-database-check", "security.manage_backup"),
    ]),
    (None, [
        ("service:help", _("Help"), "bi-question-circle", None),
    ]),
]  # fmt: skip


@lru_cache(maxsize=1024)
def _current_entry(view_name):
    """The one entry a page belongs to: its own, else its model's list (customers:customer-detail belongs
    to customers:customer-list, not to the contacts entry; the board and the opportunity list share a
    model, and a page without an entry of its own goes to the list)."""
    names = [url_name for _heading, entries in NAVIGATION for url_name, *_rest in entries]
    if view_name in names:
        return view_name
    same_model = [name for name in names if name.rsplit("-", 1)[0] == view_name.rsplit("-", 1)[0]]
    lists = [name for name in same_model if name.endswith("-list")]
    return (lists or same_model or [None])[0]


@lru_cache(maxsize=64)
def _entries(language, script_prefix, urlconf):
    """NAVIGATION with each address reversed and each text translated, once per process for each language (the
    active one: ``language`` is only the key), script prefix and URLconf."""
    return [
        (heading and str(heading), [(name, reverse(name, urlconf=urlconf), str(label), icon, perm)
                                    for name, label, icon, perm in entries])
        for heading, entries in NAVIGATION
    ]  # fmt: skip


@receiver(setting_changed)
def _forget_entries(**kwargs):
    # Tests change languages and URLconfs; a process serving requests never does.
    _entries.cache_clear()


def _sections(request, user):
    current = _current_entry(request.resolver_match.view_name if request.resolver_match else "")
    entries = _entries(get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    # Permissions read once per request instead of a has_perm() through every backend per entry.
    active, superuser = user.is_active, user.is_superuser
    granted = user.get_all_permissions() if active and not superuser else set()
    sections, items = [], []
    for heading, shown in entries:
        shown = [
            {"url": url, "label": label, "icon": icon, "active": name == current}
            for name, url, label, icon, perm in shown
            if not perm or (active and (superuser or perm in granted))
        ]
        if shown:
            sections.append({"heading": heading, "items": shown})
            items += shown
    return sections, items


def navigation(request):
    """The sidebar's sections and entries, worked out only when a template reads them (an htmx fragment never
    does)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    both = SimpleLazyObject(lambda: _sections(request, user))
    return {"nav_sections": SimpleLazyObject(lambda: both[0]), "nav_items": SimpleLazyObject(lambda: both[1])}


def upload_limits(request):
    """Limits the browser checks before a form is sent (static/js/upload-limit.js), so an over-size submission
    is stopped while the typed text is still on the page: the text Django accepts in one post, and the largest
    file any form takes (each form's own file limit still applies on the server)."""
    largest_file = max(
        settings.IMPORT_MAX_BYTES,
        settings.SERVICE_ATTACHMENT_MAX_BYTES,
        settings.CONTRACT_FILE_MAX_BYTES,
        settings.MARKETING_UPLOAD_MAX_BYTES,
    )
    return {"upload_limits": {"text": settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0, "file": largest_file}}
