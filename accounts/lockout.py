"""django-axes, taught that a sign-in has two steps.

Out of the box a correct password clears the failure count (``AXES_RESET_ON_SUCCESS``). With a second
factor still to come that would let anyone who knows the password guess codes forever, signing in
again after every few wrong ones; so the count is cleared only once the second factor is given.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_credentials

from .two_factor import login_step


class SignInAttemptHandler(AxesDatabaseHandler):
    def user_logged_in(self, sender, request, user, **kwargs):
        request.axes_keep_failures = login_step(request, user) is not None
        super().user_logged_in(sender, request, user, **kwargs)

    def reset_user_attempts(self, request, credentials=None) -> int:
        if getattr(request, "axes_keep_failures", False):
            return 0
        return super().reset_user_attempts(request, credentials)

    def second_factor_passed(self, request, user) -> int:
        """The sign-in is complete: clear the failures as a one-step sign-in would have."""
        request.axes_keep_failures = False
        return self.reset_user_attempts(request, get_credentials(user.get_username()))
