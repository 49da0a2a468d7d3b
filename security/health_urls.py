"""``/healthz`` and ``/metrics`` at the site root, outside the security namespace, where probes and
Prometheus expect them."""

from django.urls import path

from .views.health import healthz
from .views.metrics import metrics_view

urlpatterns = [path("healthz", healthz, name="healthz"), path("metrics", metrics_view, name="metrics")]
