from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("api/", views.token_list, name="token-list"),
    path("api/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
