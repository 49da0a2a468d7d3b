"""The page's chrome drawn in Python: what base.html and its includes put around every page's content.

``{% chrome_head %}`` (icons, style sheets, scripts), ``{% chrome_body %}`` (the ``<body>`` tag),
``{% chrome_top nav_sections %}`` (navigation bar, sidebar, the ``<main>`` element's start and the messages),
``{% language_switch %}``, ``{% page_messages %}`` and ``{% pagination page %}`` (the includes of the same names).

Every page draws them: through the template the navigation bar alone resolved a dozen ``{% url %}``, ``{% static %}``
and ``{% translate %}`` tags and the language switch's loop, on every request, for the same text (bench/README.md,
issue 18). What never changes within a process — the addresses of fixed routes, the static files' URLs, the fixed
texts in each language — is put together once per language, script prefix and URLconf (``_fixed``); a request adds
only its own values (CSRF token, user name, path, messages, page numbers). The markup is the templates' own,
character for character (tests/crm/test_chrome.py draws both, in both languages).
"""

from functools import lru_cache
from types import SimpleNamespace

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import render_value_in_context
from django.template.defaulttags import CsrfTokenNode, querystring
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm.templatetags.navigation import sidebar_sections

register = template.Library()

_CSRF = CsrfTokenNode()


@lru_cache(maxsize=64)
def _fixed(language, script_prefix, urlconf):
    """The chrome's fixed text for one language (the active one: ``language`` is only the key)."""

    def url(name):
        return escape(reverse(name, urlconf=urlconf))

    def src(path):
        return escape(static(path))

    # Translated before the f-strings that hold them: makemessages does not look inside an f-string.
    another_code, text_label = escape(_("Show another code")), escape(_("the text"))
    menu, crm, manual = escape(_("Menu")), escape(_("CRM")), escape(_("User manual"))
    notifications, close, modules = escape(_("Notifications")), escape(_("Close")), escape(_("Modules"))
    language_label, sign_out_label = escape(_("Language")), escape(_("Sign out"))

    head = (
        '<meta name="htmx-config" content=\'{"allowEval":false,"includeIndicatorStyles":false}\'>\n'
        f'  <link rel="icon" href="{src("favicon.ico")}" sizes="48x48">\n'
        f'  <link rel="icon" href="{src("favicon.svg")}" type="image/svg+xml">\n'
        f'  <link rel="stylesheet" href="{src("vendor/bootstrap/bootstrap.min.css")}">\n'
        f'  <link rel="stylesheet" href="{src("vendor/bootstrap-icons/bootstrap-icons.min.css")}">\n'
        f'  <link rel="stylesheet" href="{src("css/crm.css")}">\n'
        f'  <script src="{src("vendor/htmx/htmx.min.js")}" defer></script>\n'
        f'  <script src="{src("vendor/bootstrap/bootstrap.bundle.min.js")}" defer></script>\n'
        f'  <script src="{src("js/crm.js")}" defer></script>\n'
        f'  <meta name="captcha-refresh" content="{url("captcha-refresh")}"'
        f' data-label="{another_code}">\n'
        f'  <script src="{src("js/upload-limit.js")}" defer></script>'
    )
    too_large = _(
        "This is too large to send: {what} is {size}, at most {limit} may be sent. Nothing was sent and your text "
        "is still here."
    )
    body_labels = f' data-upload-text-label="{text_label}"\n      data-upload-too-large="{escape(too_large)}">'
    languages = "\n    " + "".join(
        f'\n    <button type="submit" name="language" value="{escape(code)}" id="lang-{escape(code)}"\n'
        f'            class="btn {"btn-light" if code == language else "btn-outline-light"}">'
        f"{'中文' if code == 'zh-hans' else 'EN'}</button>\n    "
        for code, _name in settings.LANGUAGES
    )
    navbar = (
        '<nav class="navbar navbar-expand-md navbar-dark bg-dark sticky-top">\n'
        '  <div class="container-fluid">\n'
        '    <button class="navbar-toggler me-2" type="button" data-bs-toggle="offcanvas" data-bs-target="#sidebar"\n'
        f'            aria-controls="sidebar" aria-label="{menu}">'
        '<span class="navbar-toggler-icon"></span></button>\n'
        f'    <a class="navbar-brand" href="{url("home")}"><i class="bi bi-people-fill"></i> {crm}</a>\n'
        '    <div class="ms-auto d-flex align-items-center gap-2">\n      '
    )
    user_menu = (
        f'\n      <a href="{url("manual")}" class="btn btn-outline-light btn-sm" id="manual-link"'
        f' title="{manual}" aria-label="{manual}"><i class="bi bi-book"></i></a>\n'
        f'      <a href="{url("accounts:notification-list")}" class="btn btn-outline-light btn-sm position-relative"'
        ' id="notification-bell"\n'
        f'         hx-get="{url("accounts:notification-bell")}" hx-trigger="load, every 60s" hx-target="#bell-count"'
        ' hx-swap="innerHTML"\n'
        f'         aria-label="{notifications}"><i class="bi bi-bell"></i>'
        '<span id="bell-count"></span></a>\n'
        '      <div class="dropdown">\n'
        '        <button type="button" class="btn btn-outline-light btn-sm dropdown-toggle" data-bs-toggle="dropdown"'
        ' id="user-menu">\n'
        '          <i class="bi bi-person-circle"></i> '
    )

    def item(name, label):
        return f'<li><a class="dropdown-item" href="{url(name)}">{escape(label)}</a></li>'

    items = (
        item("accounts:preferences", _("Preferences")),
        item("accounts:password-change", _("Change password")),
        item("integrations:token-list", _("API tokens")),
        item("integrations:webhook-list", _("Webhooks")),
    )
    user_items = (
        '\n        </button>\n        <ul class="dropdown-menu dropdown-menu-end">\n'
        + "".join(f"          {entry}\n" for entry in items)
        + "          "
    )
    administration = item("admin:index", _("Administration"))
    sign_out = (
        '\n          <li><hr class="dropdown-divider"></li>\n'
        f'          <li><form method="post" action="{url("accounts:logout")}">'
    )
    sidebar = (
        '\n            <button class="dropdown-item" type="submit" id="logout">'
        f"{sign_out_label}</button></form></li>\n"
        "        </ul>\n"
        "      </div>\n"
        "    </div>\n"
        "  </div>\n"
        "</nav>\n"
        '<div class="container-fluid">\n'
        '  <div class="row">\n'
        '    <div class="offcanvas-md offcanvas-start col-md-3 col-lg-2 bg-body-tertiary p-0 sidebar" tabindex="-1"'
        ' id="sidebar">\n'
        f'      <div class="offcanvas-header"><h5 class="offcanvas-title">{crm}</h5>\n'
        '        <button type="button" class="btn-close" data-bs-dismiss="offcanvas" data-bs-target="#sidebar"'
        f' aria-label="{close}"></button></div>\n'
        '      <div class="offcanvas-body p-0">\n'
        f'        <nav class="w-100 py-2" aria-label="{modules}">\n          '
    )
    main = '\n        </nav>\n      </div>\n    </div>\n    <main class="col-md-9 col-lg-10 px-md-4 py-3">\n      '
    return SimpleNamespace(
        head=head,
        body_labels=body_labels,
        language_form=(f'\n<form method="post" action="{url("accounts:language")}" class="d-flex" id="language-form">'),
        language_group=(f'">\n  <div class="btn-group btn-group-sm" role="group" aria-label="{language_label}">'),
        languages=languages,
        navbar=navbar,
        user_menu=user_menu,
        user_items=user_items,
        administration=administration,
        sign_out=sign_out,
        sidebar=sidebar,
        main=main,
        pages=escape(_("Pages")),
        previous=escape(_("Previous")),
        next=escape(_("Next")),
    )


@receiver(setting_changed)
def _forget_fixed(**kwargs):
    # Tests change static storage, languages and URLconfs; a process serving requests never does.
    _fixed.cache_clear()


def _chrome():
    return _fixed(translation.get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


def _value(context, name):
    # ``{{ name }}``: a missing variable is the engine's empty text (the server-error page has no request context).
    value = context.get(name)
    return "" if value is None else render_value_in_context(value, context)


@register.simple_tag
def chrome_head():
    return mark_safe(_chrome().head)  # noqa: S308 - addresses and translations, escaped in _fixed


@register.simple_tag(takes_context=True)
def chrome_body(context):
    limits = context.get("upload_limits") or {}
    text, file = limits.get("text"), limits.get("file")
    return mark_safe(  # noqa: S308 - every value escaped
        f'<body hx-headers=\'{{"X-CSRFToken": "{_value(context, "csrf_token")}"}}\''
        f' data-upload-text-max="{"" if text is None else render_value_in_context(text, context)}"\n'
        f'      data-upload-file-max="{"" if file is None else render_value_in_context(file, context)}"'
        f"{_chrome().body_labels}"
    )


def _language_switch(context, fixed):
    request = context.get("request")
    path = escape(request.get_full_path()) if request is not None else ""
    return (
        f'{fixed.language_form}{_CSRF.render(context)}\n  <input type="hidden" name="next" value="{path}'
        f"{fixed.language_group}{fixed.languages}\n  </div>\n</form>"
    )


@register.simple_tag(takes_context=True)
def language_switch(context):
    return mark_safe(_language_switch(context, _chrome()))  # noqa: S308 - every value escaped


def _messages(context):
    parts = ['<div id="messages">']
    for message in context.get("messages") or ():
        tags = message.tags
        level = "danger" if tags == "error" else escape(tags or "info")
        parts.append(
            f'\n  <div class="alert alert-{level} alert-dismissible fade show" role="alert">\n'
            f"    {render_value_in_context(message, context)}"
            '<button type="button" class="btn-close" data-bs-dismiss="alert" aria-label="Close"></button>\n  </div>'
        )
    parts.append("</div>")
    return "".join(parts)


@register.simple_tag(takes_context=True)
def page_messages(context):
    return mark_safe(_messages(context))  # noqa: S308 - every value escaped


@register.simple_tag(takes_context=True)
def chrome_top(context, nav_sections):
    fixed = _chrome()
    request = context.get("request")
    user = getattr(request, "user", None)
    return mark_safe(  # noqa: S308 - every value escaped
        f"{fixed.navbar}{_language_switch(context, fixed)}\n{fixed.user_menu}"
        f"{'' if user is None else escape(user)}{fixed.user_items}"
        f"{fixed.administration if user is not None and user.is_staff else ''}"
        f"{fixed.sign_out}{_CSRF.render(context)}{fixed.sidebar}{sidebar_sections(nav_sections)}{fixed.main}"
        f"{_messages(context)}\n"
    )


@register.simple_tag(takes_context=True)
def pagination(context, page):
    """``includes/pagination.html``: the count of records and the links to the previous and next page."""
    fixed = _chrome()
    paginator = page.paginator
    capped = getattr(paginator, "is_capped", False)  # Django's own Paginator counts every row
    if capped:
        limit = render_value_in_context(intcomma(int(paginator.count) - 1), context)
        count = _("More than %(limit)s records — narrow the search to see them all") % {"limit": limit}
    else:
        counter = paginator.count
        count = ngettext("%(counter)s record", "%(counter)s records", counter) % {
            "counter": render_value_in_context(counter, context)
        }
    gap = "\n    " if capped else ""  # the template's line break inside its first branch
    parts = [
        f'\n<nav class="d-flex justify-content-between align-items-center" aria-label="{fixed.pages}">\n'
        f'  <span class="text-muted small">\n    {count}{gap}\n  </span>\n  '
    ]
    if page.has_other_pages():
        number = render_value_in_context(page.number, context)
        if capped:
            label = _("Page %(number)s") % {"number": number}
        else:
            total = render_value_in_context(paginator.num_pages, context)
            label = _("Page %(number)s of %(total)s") % {"number": number, "total": total}
        previous = next_ = ""
        if page.has_previous():
            link = conditional_escape(querystring(context, page=page.previous_page_number()))
            previous = f'<li class="page-item"><a class="page-link" href="{link}">&laquo; {fixed.previous}</a></li>'
        if page.has_next():
            link = conditional_escape(querystring(context, page=page.next_page_number()))
            next_ = f'<li class="page-item"><a class="page-link" href="{link}">{fixed.next} &raquo;</a></li>'
        parts.append(
            f'\n  <ul class="pagination pagination-sm mb-0">\n    {previous}\n'
            f'    <li class="page-item disabled"><span class="page-link">{label}</span></li>\n    {next_}\n  </ul>\n  '
        )
    parts.append("\n</nav>")
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped
