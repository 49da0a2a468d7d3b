import functools
import ipaddress
import logging
import re
import time
import uuid
import zoneinfo

from django.conf import settings
from django.utils import timezone, translation

from .audit import current_ip


def _address(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.9:51234"
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


@functools.lru_cache(maxsize=8)
def _networks(cidrs: tuple) -> tuple:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def client_ip(request) -> str | None:
    """The address of whoever sent the request: the one function the sign-in lockout (axes), the
    behaviour log, the request log and the public-form rate limits all use.

    X-Forwarded-For is written by whoever sends the request, so only the entries our own proxies
    appended count: walking the chain from the right (REMOTE_ADDR, then the header's last entry, …),
    the first ``TRUSTED_PROXIES`` hops and any hop inside ``TRUSTED_PROXY_NETWORKS`` are proxies, and
    the first address that is neither is the client. With neither setting, REMOTE_ADDR is the client.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    hops = settings.TRUSTED_PROXIES
    networks = _networks(tuple(settings.TRUSTED_PROXY_NETWORKS))
    if not hops and not networks:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    chain = [*forwarded, remote or ""]
    client = remote
    for position, text in enumerate(reversed(chain)):
        address = _address(text)
        if address is None:
            # Garbage where an address should be: the last proxy that handed it on is all we know.
            return client
        client = str(address)
        trusted = position < hops or any(address in network for network in networks)
        if not trusted:
            return client
    return client


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
