"""The user's own API tokens (/settings/api/) and webhook endpoints (/settings/webhooks/)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.forms import apply_validation_error
from crm.pagination import paginate

from . import tokens, webhooks
from .forms import TokenForm, WebhookEndpointForm
from .models import ApiToken, WebhookDelivery, WebhookEndpoint


def token_list(request):
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            token, new_key = tokens.token_create(
                actor=request.user,
                user=request.user,
                **{k: form.cleaned_data[k] for k in ("name", "access", "expires_at")},
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            form = TokenForm()
    rows = ApiToken.objects.filter(user=request.user, revoked_at__isnull=True).order_by("-created_at", "-id")
    response = render(request, "api/token_list.html", {"form": form, "tokens": rows, "new_key": new_key})
    # The new key is on this page once: never cached, never kept in the browser's history.
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    tokens.token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("integrations:token-list")


def _my_endpoint(request, pk):
    # Each user manages their own endpoints; what the payloads carry is already limited to what they see.
    return get_object_or_404(WebhookEndpoint, pk=pk, owner=request.user)


def webhook_list(request):
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint = webhooks.endpoint_create(
                actor=request.user, url=data["url"], events=data["events"], description=data["description"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Webhook added. Copy its signing secret into the receiving system."))
            return redirect("integrations:webhook-detail", pk=endpoint.pk)
    endpoints = WebhookEndpoint.objects.filter(owner=request.user)
    return render(request, "api/webhook_list.html", {"form": form, "endpoints": endpoints})


def webhook_detail(request, pk):
    endpoint = _my_endpoint(request, pk)
    initial = {k: getattr(endpoint, k) for k in ("url", "description", "events", "is_active")}
    form = WebhookEndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            webhooks.endpoint_update(actor=request.user, endpoint=endpoint, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Webhook saved."))
            return redirect("integrations:webhook-detail", pk=endpoint.pk)
    page = paginate(WebhookDelivery.objects.filter(endpoint=endpoint), request, per_page=25)
    response = render(request, "api/webhook_detail.html", {"endpoint": endpoint, "form": form, "page": page})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def webhook_rotate(request, pk):
    webhooks.endpoint_rotate_secret(actor=request.user, endpoint=_my_endpoint(request, pk))
    messages.success(request, _("New secret made. The previous one keeps signing for 24 hours."))
    return redirect("integrations:webhook-detail", pk=pk)


@require_POST
def webhook_delete(request, pk):
    webhooks.endpoint_delete(actor=request.user, endpoint=_my_endpoint(request, pk))
    messages.success(request, _("Webhook deleted."))
    return redirect("integrations:webhook-list")


@require_POST
def webhook_resend(request, pk):
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("endpoint"), pk=pk, endpoint__owner=request.user
    )
    webhooks.delivery_resend(actor=request.user, delivery=delivery)
    messages.success(request, _("The event is being sent again."))
    return redirect("integrations:webhook-detail", pk=delivery.endpoint_id)
