"""``/healthz`` at the site root, outside the security namespace, for probes that expect it there."""

from django.urls import path

from .views.health import healthz

urlpatterns = [path("healthz", healthz, name="healthz")]
