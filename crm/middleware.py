import logging
import re
import time
import uuid
import zoneinfo

from django.conf import settings
from django.utils import timezone, translation

from .audit import current_ip


def client_ip(request):
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if forwarded:
        return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


class UserPreferencesMiddleware:
    """Activates the signed-in user's language and time zone, and remembers the client address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = translation.get_language()
            if user.timezone:
                try:
                    timezone.activate(zoneinfo.ZoneInfo(user.timezone))
                except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                    timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            current_ip.reset(token)


request_log = logging.getLogger("crm.requests")
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
STATIC_PREFIX = "/" + settings.STATIC_URL.lstrip("/")


class RequestLogMiddleware:
    """Logs every request with its status and duration; a request id ties the line to the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        # A proxy's request id is kept when it looks like one, so its logs and ours line up.
        request_id = request.META.get("HTTP_X_REQUEST_ID", "")
        if not REQUEST_ID.fullmatch(request_id):
            request_id = uuid.uuid4().hex
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            user = getattr(request, "user", None)
            fields = {
                "request_id": request_id,
                "method": request.method,
                "path": request.path[:500],
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "ip": client_ip(request),
            }
            level = logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO
            if level == logging.INFO and request.path.startswith(STATIC_PREFIX):
                level = logging.DEBUG
            request_log.log(level, "%(method)s %(path)s %(status)s", fields, extra={"fields": fields})
