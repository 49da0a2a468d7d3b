"""The second factor's pages: set up an authenticator app, enter a code at sign-in, recovery codes, turn off."""

from django.conf import settings
from django.contrib import auth, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.forms import apply_validation_error

from . import two_factor
from .forms import AuthenticatorCodeForm, PasswordConfirmForm, SecondFactorForm
from .middleware import two_factor_exempt
from .views import locked_out


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return reverse(settings.LOGIN_REDIRECT_URL)
    return target


def _codes_page(request, codes, next_url):
    response = render(request, "accounts/two_factor_codes.html", {"codes": codes, "next": next_url})
    add_never_cache_headers(response)  # shown once: no cache may keep a copy
    return response


@two_factor_exempt
def two_factor_verify(request):
    user, next_url = request.user, _next(request)
    if two_factor.pending_step(request) != two_factor.VERIFY:
        return redirect(next_url)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.locked_out(request, user):
            auth.logout(request)
            return locked_out(request)
        if two_factor.second_factor_verify(request=request, user=user, code=form.cleaned_data["code"]):
            return redirect(next_url)
        if getattr(request, "axes_locked_out", False):
            auth.logout(request)
            return locked_out(request)
        form.add_error("code", _("That code is not right."))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@two_factor_exempt
def two_factor_setup(request):
    user, next_url = request.user, _next(request)
    if two_factor.pending_step(request) == two_factor.VERIFY:
        return redirect(f"{reverse('accounts:two-factor-verify')}?{urlencode({'next': next_url})}")
    if two_factor.confirmed_app(user) is not None:
        messages.info(request, _("Two-factor sign-in is already set up."))
        return redirect("accounts:preferences")
    device = two_factor.enrolment_device(user)
    form = AuthenticatorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.two_factor_enrol(
                request=request, user=user, device=device, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return _codes_page(request, codes, next_url)
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": two_factor.qr_svg(device),
        "secret": two_factor.secret_text(device),
        "required": two_factor.pending_step(request) == two_factor.ENROL,
    }
    response = render(request, "accounts/two_factor_setup.html", context)
    add_never_cache_headers(response)
    return response


@require_POST
def recovery_codes_regenerate(request):
    form = PasswordConfirmForm(request.POST)
    if form.is_valid():
        try:
            codes = two_factor.recovery_codes_regenerate(user=request.user, password=form.cleaned_data["password"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return _codes_page(request, codes, reverse("accounts:preferences"))
    return redirect("accounts:preferences")


@require_POST
def two_factor_disable(request):
    form = PasswordConfirmForm(request.POST)
    if form.is_valid():
        try:
            two_factor.two_factor_disable(user=request.user, password=form.cleaned_data["password"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Two-factor sign-in is turned off."))
            # A role that requires it sends the user straight to setting up a new app.
            two_factor.session_start(request, request.user)
    return redirect("accounts:preferences")
