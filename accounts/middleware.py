from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from . import two_factor

STEP_URLS = {two_factor.VERIFY: "accounts:two-factor-verify", two_factor.ENROL: "accounts:two-factor-setup"}


def two_factor_exempt(view):
    """Marks a view a signed-in user may open before giving the second factor (sign-out, the code page)."""
    view.two_factor_exempt = True
    return view


class TwoFactorMiddleware:
    """Sends a session that has the password but not yet the second factor to the code page (or, for a role
        that requires an app the user has not set up, to the set-up page). Only views marked with
    :func:`two_factor_exempt` open before that.

        The step to take is in the session (accounts.two_factor), so this costs signed-in pages no query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Views open without sign-in are not exempt as such: Django admin marks its views so and checks
        # the user itself. A half-signed-in visitor signs out to see a public page as anyone does.
        if getattr(view_func, "two_factor_exempt", False) or not request.user.is_authenticated:
            return None
        step = two_factor.pending_step(request)
        if step is None:
            return None
        if request.path.startswith("/api/"):
            # A script using the browser's session gets an answer it can read, not the code page.
            return JsonResponse({"detail": gettext("Two-factor sign-in is not complete.")}, status=403)
        target = f"{reverse(STEP_URLS[step])}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            # htmx would swap the code page into a fragment: have it load the whole page instead.
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        return redirect(target)
