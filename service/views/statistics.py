from django.contrib.auth.decorators import permission_required
from django.shortcuts import render

from ..statistics import service_statistics

PERIODS = [30, 90, 365]


@permission_required("service.view_service_statistics", raise_exception=True)
def statistics(request):
    try:
        days = int(request.GET.get("days", 90))
    except ValueError:
        days = 90
    days = days if days in PERIODS else 90
    stats = service_statistics(user=request.user, days=days)
    charts = {
        "type": {"labels": [str(label) for label, _n in stats["by_type"]], "values": [n for _l, n in stats["by_type"]]},
        "channel": {
            "labels": [str(label) for label, _n in stats["by_channel"]],
            "values": [n for _l, n in stats["by_channel"]],
        },
        "csat": {
            "labels": [month for month, _a, _n in stats["csat_trend"]],
            "values": [float(avg) for _m, avg, _n in stats["csat_trend"]],
        },
    }
    return render(request, "service/statistics.html", {"stats": stats, "charts": charts, "periods": PERIODS})
