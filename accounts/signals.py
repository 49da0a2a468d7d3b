"""Sign-in events go to the behaviour log; the receivers only hand over to the service."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import services, two_factor


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    services.user_signed_in(user=user, request=request)
    if request is not None and hasattr(request, "session"):
        two_factor.session_start(request, user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        services.user_signed_out(user=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    if credentials.get("second_factor"):
        return  # logged by the second-factor check itself, as a wrong code
    services.user_sign_in_failed(username=credentials.get("username", ""))
