from django.shortcuts import render

from customers import selectors as customer_selectors
from customers.models import Customer


def home(request):
    """The user's own numbers, first thing after signing in."""
    context = {}
    if request.user.has_perm("customers.view_customer"):
        numbers = customer_selectors.my_numbers(user=request.user)
        context["numbers"] = numbers
        context["lifecycle_chart"] = {
            "labels": [str(label) for label in Customer.Lifecycle.labels],
            "values": [numbers[f"mine_{stage}"] for stage in ("prospects", "customers", "vip", "churned")],
        }
        context["recent_customers"] = customer_selectors.recent_customers(user=request.user)
        context["quality_chart"] = customer_selectors.quality_distribution(user=request.user)
    return render(request, "reports/home.html", context)
