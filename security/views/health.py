from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..services import metrics
from ..services.health import health_report


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """For load balancers and monitoring: 200 when every dependency answers, 503 otherwise.

    ``?only=database,redis`` limits the checks (a container's own liveness should not depend on last night's
    backup). The answer links the metrics page when it is switched on.
    """
    only = {name for name in request.GET.get("only", "").split(",") if name}
    report = health_report(only=only or None)
    if metrics.enabled():
        report["links"] = {"metrics": request.build_absolute_uri(reverse("metrics"))}
    if not request.user.is_staff:
        # Error texts can name hosts and ports; anonymous probes only learn which check failed.
        for result in report["checks"].values():
            result.pop("error", None)
    return JsonResponse(report, status=200 if report["healthy"] else 503, json_dumps_params={"ensure_ascii": False})
