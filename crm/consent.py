"""The privacy notice on the public forms and the consent people give there.

A public form mixes in :class:`PrivacyConsentFormMixin` (naming its ``privacy_form``); its template
includes ``includes/privacy_notice.html``. The view hands :func:`consent_given` to the service, which
calls :func:`consent_record` with the record it created, inside its own transaction, so there is
never a record without its consent nor a consent without its record.
"""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .middleware import client_ip
from .models import Consent, PrivacyNotice

DEFAULT_NOTICE = _(
    "We use the details you give here only to handle this request (your registration, enquiry or "
    "ticket) and to contact you about it. They are kept in our customer records, seen only by the "
    "staff who handle them, and never sold. You may ask us at any time to see, correct or erase "
    "them."
)


@dataclass(frozen=True)
class Notice:
    version: str
    text: str


@dataclass(frozen=True)
class ConsentGiven:
    form: str
    version: str
    ip: str | None


def current_notice() -> Notice:
    """The notice in force, in the active language: the newest published in admin, else the default."""
    notice = PrivacyNotice.objects.filter(published_at__lte=timezone.now()).first()
    if notice is None:
        text = settings.PRIVACY_NOTICE_TEXT or gettext(DEFAULT_NOTICE)
        return Notice(version=settings.PRIVACY_NOTICE_VERSION, text=text)
    chinese = (translation.get_language() or "").lower().startswith("zh")
    return Notice(version=notice.version, text=(notice.text_zh_hans if chinese else notice.text_en) or notice.text_en)


def consent_required(form: str) -> bool:
    return form in settings.PRIVACY_CONSENT_REQUIRED_FORMS


class PrivacyConsentFormMixin:
    """Gives a public form its privacy notice and, where the setting asks for it, a required consent box."""

    privacy_form: str = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.privacy_notice = current_notice()
        if consent_required(self.privacy_form):
            self.fields["privacy_consent"] = forms.BooleanField(
                label=_("I have read the privacy notice and agree that my details are used as it says."),
                error_messages={"required": _("Please agree to the privacy notice to send the form.")},
            )


def consent_given(request, form) -> ConsentGiven | None:
    """What a valid form's consent box says, with the notice version shown and the client address."""
    if not form.cleaned_data.get("privacy_consent"):
        return None
    return ConsentGiven(form=form.privacy_form, version=form.privacy_notice.version, ip=client_ip(request))


def consent_record(*, consent: ConsentGiven | None, record) -> Consent | None:
    """Store the consent with the record it came with; call it inside the service's transaction."""
    if consent is None:
        return None
    return Consent.objects.create(
        form=consent.form,
        notice_version=consent.version,
        ip=consent.ip,
        record_type=ContentType.objects.get_for_model(record),
        record_id=record.pk,
    )


def consents_of(*querysets):
    """The consents given with the records of ``querysets`` (one model each)."""
    condition = Q(pk__in=[])
    for queryset in querysets:
        record_type = ContentType.objects.get_for_model(queryset.model)
        condition |= Q(record_type=record_type, record_id__in=queryset.values("pk"))
    return Consent.objects.filter(condition)


# The personal data a consent holds (the client address), for the apps' personal-data sources.
CONSENT_PERSONAL_FIELDS = {"crm.Consent": ("ip",)}


def consents_export(*querysets) -> list:
    return list(
        consents_of(*querysets)
        .order_by("given_at", "pk")
        .values("form", "notice_version", "given_at", "ip", "record_type__model", "record_id")
    )


def consents_erase(*querysets) -> int:
    """Forget where the consents came from; that they were given, and to which text, stays on record."""
    return consents_of(*querysets).update(ip=None)
