"""The user's own API tokens (/settings/api/): made (the key shown once), listed and revoked."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.forms import apply_validation_error

from . import tokens
from .forms import TokenForm
from .models import ApiToken


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
