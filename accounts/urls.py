from django.contrib.auth import views as auth_views
from django.urls import path

from . import two_factor_views, views
from .middleware import two_factor_exempt

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", two_factor_exempt(auth_views.LogoutView.as_view()), name="logout"),
    path("two-factor/", two_factor_views.two_factor_verify, name="two-factor-verify"),
    path("two-factor/setup/", two_factor_views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/recovery-codes/", two_factor_views.recovery_codes_regenerate, name="recovery-codes"),
    path("two-factor/disable/", two_factor_views.two_factor_disable, name="two-factor-disable"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign-out-everywhere"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("preferences/", views.preferences, name="preferences"),
    path("language/", views.switch_language, name="language"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/bell/", views.notification_bell, name="notification-bell"),
    path("notifications/read/", views.notification_read, name="notification-read"),
]
