from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from ..services import metrics


@login_not_required
@never_cache
@require_GET
def metrics_view(request):
    """For Prometheus: with METRICS_TOKEN as a bearer token, or from METRICS_ALLOWED_NETWORKS."""
    if not metrics.enabled():
        raise Http404
    if not metrics.allowed(request):
        return HttpResponseForbidden()
    return HttpResponse(metrics.render(), content_type=CONTENT_TYPE_LATEST)
