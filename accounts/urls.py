from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign-out-everywhere"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("preferences/", views.preferences, name="preferences"),
    path("language/", views.switch_language, name="language"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/bell/", views.notification_bell, name="notification-bell"),
    path("notifications/read/", views.notification_read, name="notification-read"),
]
