from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("api/", views.token_list, name="token-list"),
    path("api/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("webhooks/", views.webhook_list, name="webhook-list"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhook-detail"),
    path("webhooks/<int:pk>/rotate/", views.webhook_rotate, name="webhook-rotate"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook-delete"),
    path("webhooks/deliveries/<int:pk>/resend/", views.webhook_resend, name="webhook-resend"),
]
