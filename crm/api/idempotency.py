"""``Idempotency-Key`` on POST: the first answer is stored with the key; the same POST again within
API_IDEMPOTENCY_HOURS gets that answer back instead of acting twice."""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status

from .exceptions import Conflict
from .models import IdempotencyRecord


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This Idempotency-Key was already used for a different request.")
    default_code = "idempotency_key_reused"


class Replay(Exception):
    """Raised from the view's start to answer with a stored response."""

    def __init__(self, record):
        self.record = record


def request_fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str) if request.data else ""
    return hashlib.sha256(f"{request.method} {request.get_full_path()} {body}".encode()).hexdigest()


def idempotency_begin(*, user, key: str, fingerprint: str) -> IdempotencyRecord:
    """Claim ``key`` for this request, or raise Replay / Conflict / KeyReused."""
    if len(key) > 255:
        raise exceptions.ValidationError({"Idempotency-Key": [_("At most 255 characters.")]})
    cutoff = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    IdempotencyRecord.objects.filter(user=user, key=key, created_at__lt=cutoff).delete()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(user=user, key=key, request_hash=fingerprint)
    except IntegrityError:
        record = IdempotencyRecord.objects.get(user=user, key=key)
    if record.request_hash != fingerprint:
        raise KeyReused()
    if record.status_code is None:
        raise Conflict()
    raise Replay(record)


def idempotency_finish(*, record: IdempotencyRecord, response) -> None:
    """Keep the answer; a server error is not kept, so the client may try again with the same key."""
    if response.status_code >= 500:
        record.delete()
        return
    record.status_code = response.status_code
    record.body = response.data
    record.headers = {name: response[name] for name in ("Location", "ETag") if response.has_header(name)}
    record.save(update_fields=["status_code", "body", "headers"])


def idempotency_purge() -> int:
    cutoff = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    return IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()[0]
