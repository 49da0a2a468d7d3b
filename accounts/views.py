from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm import notifications
from crm.middleware import client_ip
from crm.pagination import paginate

from . import selectors, services, two_factor
from .forms import CaptchaLoginForm, LanguageForm, PasswordConfirmForm, PreferencesForm
from .middleware import two_factor_exempt


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_form_class(self):
        # A captcha appears once this address or this user name has failed, so guessing needs a human.
        username = self.request.POST.get("username", "")[:150]
        failures = selectors.sign_in_failures(ip=client_ip(self.request), username=username)
        return CaptchaLoginForm if failures >= settings.LOGIN_CAPTCHA_AFTER_FAILURES else super().get_form_class()


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:preferences")

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


def preferences(request):
    user = request.user
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            services.user_update_preferences(
                user=user, language=form.cleaned_data["language"], timezone=form.cleaned_data["timezone"]
            )
            translation.activate(user.language)
            messages.success(request, _("Your preferences have been saved."))
            response = HttpResponseRedirect(reverse("accounts:preferences"))
            response.set_cookie("django_language", user.language)
            return response
    else:
        form = PreferencesForm(
            initial={"language": user.language or translation.get_language(), "timezone": user.timezone}
        )
    context = {"form": form, "two_factor": two_factor.status(user), "password_form": PasswordConfirmForm()}
    return render(request, "accounts/preferences.html", context)


@login_not_required
@two_factor_exempt
@require_POST
def switch_language(request):
    """Switches the interface language; a signed-in user keeps the choice on their profile."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_update_preferences(user=request.user, language=language)
        response.set_cookie("django_language", language, samesite="Lax")
    return response


def notification_bell(request):
    """The unread count, loaded by htmx after the page so it costs the page itself no query."""
    return render(
        request, "accounts/partials/notification_bell.html", {"unread": notifications.unread_count(user=request.user)}
    )


def notification_list(request):
    page = paginate(notifications.notifications_for(user=request.user), request)
    return render(request, "accounts/notification_list.html", {"page": page})


@require_POST
def notification_read(request):
    ids = request.POST.getlist("ids") or None
    notifications.notifications_mark_read(user=request.user, ids=ids)
    target = request.POST.get("next") or reverse("accounts:notification-list")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("accounts:notification-list")
    return HttpResponseRedirect(target)


@require_POST
def sign_out_everywhere(request):
    """Ends the user's sessions on every device, this one included."""
    services.user_sign_out_everywhere(actor=request.user, user=request.user)
    auth.logout(request)
    messages.success(request, _("You have been signed out on every device."))
    return HttpResponseRedirect(reverse(settings.LOGIN_URL))


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout answer: a page saying why and for how long, status 429."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "accounts/locked_out.html", context, status=429)
