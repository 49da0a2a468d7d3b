"""Outgoing webhooks, signed per Standard Webhooks (https://www.standardwebhooks.com/).

Events come from the behaviour log: every service writes its entry in its own transaction
(crm/audit.py sends ``action_logged``), so a change of a registered record becomes ``<name>.created``,
``.updated`` or ``.deleted`` plus whatever its app derives from the entry (``opportunity.won``…). For each
active endpoint subscribed to the event whose owner may see the record, a delivery row is written in the
same transaction — a rolled-back change sends nothing — and handed to Celery once it commits.

Apps register their records from ``<app>/api/``: ``register(Model, name, Serializer, extra_events)``.
"""

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit import action_logged, actions_logged, log_action
from crm.enqueue import start_task
from crm.models import BehaviourLog
from crm.notifications import notify
from crm.scope import Module

from .models import WebhookDelivery, WebhookEndpoint

ENDPOINTS_CACHE_KEY = "webhook-endpoints"
ROTATION_OVERLAP = timedelta(hours=24)


@dataclass
class Resource:
    model: type
    name: str
    serializer: type
    extra_events: object = None
    events: list[str] = field(default_factory=list)


RESOURCES: dict[str, Resource] = {}


def register(model, name: str, serializer, extra_events=None, extra_names=()) -> None:
    """Make ``model``'s changes webhook events named ``<name>.created|updated|deleted`` (+ ``extra_names``,
    which ``extra_events(entry, obj)`` returns when they apply)."""
    events = [f"{name}.created", f"{name}.updated", f"{name}.deleted", *extra_names]
    RESOURCES[model._meta.label_lower] = Resource(model, name, serializer, extra_events, events)


def event_choices() -> list[tuple[str, str]]:
    return [(event, event) for resource in RESOURCES.values() for event in resource.events]


# ---- secrets and signatures


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "id.timestamp.body">`` with the secret's key (base64 after ``whsec_``)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(endpoint: WebhookEndpoint, msg_id: str, timestamp: int, body: bytes) -> str:
    """Space-separated signatures: the current secret's, and the previous one's while it is still honoured."""
    signatures = [sign(endpoint.secret, msg_id, timestamp, body)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires and expires > timezone.now():
        signatures.append(sign(endpoint.previous_secret, msg_id, timestamp, body))
    return " ".join(signatures)


# ---- URLs


def check_url(url: str) -> None:
    """http(s) only; a host that resolves to a private, loopback, link-local or reserved address is refused
    unless WEBHOOK_ALLOW_PRIVATE_URLS (the CRM must not be a way into the internal network)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": _("Enter an http:// or https:// address.")})
    if settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError) as error:
        raise ValidationError({"url": _("This host name does not resolve.")}) from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        ):
            raise ValidationError({"url": _("Addresses inside private networks are not allowed.")})


# ---- endpoints (services)


def _forget_endpoints():
    # Now for this transaction's own writes, and again after the commit for anyone who cached meanwhile.
    cache.delete(ENDPOINTS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(ENDPOINTS_CACHE_KEY))


def _clean_events(events) -> list[str]:
    known = {event for event, _label in event_choices()}
    chosen = sorted(set(events))
    if not chosen or not set(chosen) <= known:
        raise ValidationError({"events": _("Choose at least one event from the list.")})
    return chosen


@transaction.atomic
def endpoint_create(*, actor, url: str, events, description: str = "") -> WebhookEndpoint:
    check_url(url)
    endpoint = WebhookEndpoint(
        owner=actor, url=url, events=_clean_events(events), description=description, secret=new_secret()
    )
    endpoint.full_clean()
    endpoint.save()
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=endpoint, module=Module.API)
    _forget_endpoints()
    return endpoint


@transaction.atomic
def endpoint_update(*, actor, endpoint: WebhookEndpoint, url: str, events, description: str, is_active: bool):
    check_url(url)
    endpoint.url, endpoint.events, endpoint.description = url, _clean_events(events), description
    if is_active and not endpoint.is_active:
        endpoint.consecutive_failures, endpoint.disabled_reason = 0, ""
    endpoint.is_active = is_active
    endpoint.full_clean()
    endpoint.save()
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=endpoint, module=Module.API)
    _forget_endpoints()
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, actor, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; the old one still signs (as a second signature) for a day, so receivers can switch."""
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + ROTATION_OVERLAP
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    log_action(
        actor=actor, action=BehaviourLog.Action.UPDATE, obj=endpoint, module=Module.API, detail={"secret": "rotated"}
    )
    return endpoint


@transaction.atomic
def endpoint_delete(*, actor, endpoint: WebhookEndpoint) -> None:
    log_action(actor=actor, action=BehaviourLog.Action.DELETE, obj=endpoint, module=Module.API)
    endpoint.delete()
    _forget_endpoints()


# ---- events


def _subscribed_endpoints() -> list[tuple[int, list[str]]]:
    """(id, events) of the active endpoints, cached: most writes happen with no endpoint listening."""
    rows = cache.get(ENDPOINTS_CACHE_KEY)
    if rows is None:
        rows = list(WebhookEndpoint.objects.filter(is_active=True).values_list("pk", "events"))
        cache.set(ENDPOINTS_CACHE_KEY, rows, 300)
    return rows


def events_for(resource: Resource, entry: BehaviourLog, obj) -> list[str]:
    basic = {
        BehaviourLog.Action.CREATE: "created",
        BehaviourLog.Action.UPDATE: "updated",
        BehaviourLog.Action.DELETE: "deleted",
    }.get(entry.action)
    events = [f"{resource.name}.{basic}"] if basic else []
    if resource.extra_events is not None:
        events += list(resource.extra_events(entry, obj))
    return events


def _owner_may_read(endpoint: WebhookEndpoint, resource: Resource) -> bool:
    owner, meta = endpoint.owner, resource.model._meta
    return owner.is_active and owner.has_perm(f"{meta.app_label}.view_{meta.model_name}")


def _payload(endpoint, resource, event, obj, at) -> dict:
    data = resource.serializer(obj, context={"user": endpoint.owner}).data
    return {"type": event, "timestamp": at.isoformat(), "data": json.loads(json.dumps(data, cls=DjangoJSONEncoder))}


def _on_action_logged(sender, entry, obj, **kwargs):
    if obj is not None:
        _queue_events([entry], [obj])


def _on_actions_logged(sender, rows, objs, **kwargs):
    # Most bulk writes happen with no endpoint listening: the entries are only built when one is.
    if _subscribed_endpoints():
        _queue_events([BehaviourLog(**row) for row in rows], objs)


def _queue_events(entries, objs) -> None:
    """Delivery rows for the events of these entries (each with its record), for every active endpoint
    subscribed to them whose owner may see the record; queued once the transaction commits. One query for
    the endpoints and one per endpoint for what its owner sees, however many records a bulk write changed."""
    changes = []  # (resource, events, obj)
    for entry, obj in zip(entries, objs, strict=True):
        resource = RESOURCES.get(obj._meta.label_lower)
        if resource is not None:
            changes.append((resource, events_for(resource, entry, obj), obj))
    endpoints = _subscribed_endpoints() if changes else None
    if not endpoints:
        return
    named = {event for _resource, events, _obj in changes for event in events}
    wanted = {pk for pk, subscribed in endpoints if set(subscribed) & named}
    if not wanted:
        return
    at = timezone.now()
    created = []
    for endpoint in WebhookEndpoint.objects.filter(pk__in=wanted, is_active=True).select_related("owner"):
        mine = [(r, [e for e in events if e in endpoint.events], obj) for r, events, obj in changes]
        mine = [(r, events, obj) for r, events, obj in mine if events and _owner_may_read(endpoint, r)]
        visible = set()
        for model in {r.model for r, _events, _obj in mine}:
            pks = [obj.pk for r, _events, obj in mine if r.model is model]
            visible |= {(model, pk) for pk in model.objects.visible_to(endpoint.owner).filter(pk__in=pks)
                        .values_list("pk", flat=True)}  # fmt: skip
        for resource, events, obj in mine:
            if (resource.model, obj.pk) not in visible:
                continue
            for event in events:
                created.append(
                    WebhookDelivery(
                        endpoint=endpoint,
                        event_id=f"msg_{uuid.uuid4().hex}",
                        event_type=event,
                        payload=_payload(endpoint, resource, event, obj, at),
                    )
                )
    if created:
        WebhookDelivery.objects.bulk_create(created)
        ids = [delivery.pk for delivery in created]
        transaction.on_commit(lambda: _enqueue(ids))


def _enqueue(ids, countdown=0):
    for pk in ids:
        start_task("crm.api.tasks.deliver_webhook", pk, countdown=countdown)


action_logged.connect(_on_action_logged, dispatch_uid="webhooks")
actions_logged.connect(_on_actions_logged, dispatch_uid="webhooks-many")


# ---- delivery


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new address to send the payload to (it could point anywhere)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str, str]:
    """(status, response excerpt, error) of one POST."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (checked URL)
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status, response.read(500).decode("utf-8", "replace"), ""
    except urllib.error.HTTPError as error:
        return error.code, error.read(500).decode("utf-8", "replace"), ""
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, "", str(getattr(error, "reason", error))[:500]


def retry_delay(attempt: int) -> int:
    """Seconds before attempt ``attempt + 1``: exponential from WEBHOOK_RETRY_BASE_SECONDS, capped at a day."""
    return min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1), 24 * 60 * 60)


def delivery_attempt(*, delivery_id: int) -> str:
    """Send one delivery once; returns its status afterwards. A delivered or abandoned one is not sent again
    (a repeated task is harmless), and the row is locked while sending so two workers cannot both send."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
            return delivery.status if delivery else "missing"
        endpoint = delivery.endpoint
        if not endpoint.is_active:
            delivery.status, delivery.error = WebhookDelivery.Status.FAILED, _("The endpoint is switched off.")
            delivery.save(update_fields=["status", "error"])
            return delivery.status
        body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
        timestamp = int(time.time())
        started = time.perf_counter()
        try:
            check_url(endpoint.url)
        except ValidationError:
            status, excerpt, error = None, "", _("Addresses inside private networks are not allowed.")
        else:
            status, excerpt, error = _post(
                endpoint.url,
                body,
                {
                    "Content-Type": "application/json",
                    "User-Agent": "CRM-Webhooks/1",
                    "webhook-id": delivery.event_id,
                    "webhook-timestamp": str(timestamp),
                    "webhook-signature": signature_header(endpoint, delivery.event_id, timestamp, body),
                },
            )
        delivery.response_ms = int((time.perf_counter() - started) * 1000)
        delivery.attempts += 1
        delivery.last_attempt_at = timezone.now()
        delivery.response_status, delivery.response_excerpt, delivery.error = status, excerpt[:500], error
        if status is not None and 200 <= status < 300:
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.SUCCEEDED, None
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        elif delivery.attempts < settings.WEBHOOK_MAX_ATTEMPTS:
            delay = retry_delay(delivery.attempts)
            delivery.next_attempt_at = timezone.now() + timedelta(seconds=delay)
            transaction.on_commit(lambda: _enqueue([delivery.pk], countdown=delay))
        else:
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
            _count_failure(endpoint)
        delivery.save()
        return delivery.status


def _count_failure(endpoint: WebhookEndpoint) -> None:
    """One more event given up on; past WEBHOOK_DISABLE_AFTER_FAILURES in a row the endpoint is switched
    off and its owner told."""
    current = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    current.consecutive_failures += 1
    fields = ["consecutive_failures"]
    if current.is_active and current.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES:
        current.is_active = False
        current.disabled_reason = _("%(count)d deliveries in a row failed.") % {"count": current.consecutive_failures}
        fields += ["is_active", "disabled_reason"]
        notify(
            user=current.owner,
            title=_("Webhook switched off: %(url)s") % {"url": current.url[:150]},
            body=current.disabled_reason,
            url=f"/settings/webhooks/{current.pk}/",
            email=True,
        )
        _forget_endpoints()
    current.save(update_fields=fields)


@transaction.atomic
def delivery_resend(*, actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same event again (same ``webhook-id``, so a receiver that has it can tell)."""
    delivery.status, delivery.attempts, delivery.next_attempt_at = WebhookDelivery.Status.PENDING, 0, None
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=delivery.endpoint, module=Module.API,
               detail={"resend": delivery.event_id})  # fmt: skip
    transaction.on_commit(lambda: _enqueue([delivery.pk]))
    return delivery


def deliveries_purge(*, days: int = 30) -> int:
    """Delivery rows (their payloads copy record data) are kept this long."""
    return WebhookDelivery.objects.filter(created_at__lt=timezone.now() - timedelta(days=days)).delete()[0]
