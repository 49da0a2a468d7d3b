from django.shortcuts import render

from customers import selectors as customer_selectors


def home(request):
    """The user's own numbers, first thing after signing in."""
    context = {}
    if request.user.has_perm("customers.view_customer"):
        context["numbers"] = customer_selectors.my_numbers(user=request.user)
        context["recent_customers"] = customer_selectors.recent_customers(user=request.user)
    return render(request, "reports/home.html", context)
