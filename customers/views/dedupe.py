from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from crm.forms import refusal_as_message
from crm.pagination import paginate

from ..dedupe import find_duplicates
from ..forms.dedupe import CustomerMergeForm
from ..selectors import dedupe as selectors
from ..services.merge import customer_merge, customer_merge_undo


@require_GET
@permission_required("customers.add_customer", raise_exception=True)
def duplicate_check(request):
    """The htmx check while the new-customer form is filled in."""
    duplicates = find_duplicates(
        user=request.user,
        name=request.GET.get("name", ""),
        phone=request.GET.get("phone", ""),
        email=request.GET.get("email", ""),
    )
    return render(request, "customers/partials/duplicate_warning.html", {"duplicates": duplicates, "live": True})


@permission_required("customers.merge_customer", raise_exception=True)
def duplicate_list(request):
    pairs = selectors.duplicate_pairs(user=request.user)
    page = Paginator(pairs, 25).get_page(request.GET.get("page"))
    page.object_list = selectors.load_pair_customers(user=request.user, pairs=page.object_list)
    return render(request, "customers/customer_duplicate_list.html", {"page": page})


@permission_required("customers.merge_customer", raise_exception=True)
def customer_merge_view(request, pk, other_pk):
    survivor, merged = selectors.customer_merge_pair(user=request.user, survivor_pk=pk, merged_pk=other_pk)
    if survivor.pk == merged.pk:
        messages.error(request, _("A customer cannot be merged with itself."))
        return redirect(survivor)
    form = CustomerMergeForm(request.POST or None, survivor=survivor, merged=merged)
    if request.method == "POST" and form.is_valid():
        with refusal_as_message(request):
            customer_merge(actor=request.user, survivor=survivor, merged=merged, choices=form.cleaned_data)
            messages.success(
                request,
                _("%(merged)s was merged into %(survivor)s. You can undo this from the list of merges.")
                % {"merged": merged.name, "survivor": survivor.name},
            )
            return redirect(survivor)
    context = {
        "form": form,
        "survivor": survivor,
        "merged": merged,
        "survivor_counts": selectors.related_counts(survivor),
        "merged_counts": selectors.related_counts(merged),
    }
    return render(request, "customers/customer_merge.html", context)


@permission_required("customers.merge_customer", raise_exception=True)
def merge_list(request):
    page = paginate(selectors.merge_list(user=request.user), request)
    return render(request, "customers/customermerge_list.html", {"page": page})


@permission_required("customers.merge_customer", raise_exception=True)
def merge_undo(request, pk):
    merge = selectors.merge_get(user=request.user, pk=pk)
    if request.method == "POST":
        with refusal_as_message(request):
            restored = customer_merge_undo(actor=request.user, merge=merge)
            messages.success(request, _("Merge undone: %(name)s is back.") % {"name": restored.name})
            return redirect(restored)
        return redirect("customers:merge-list")
    return render(request, "customers/customermerge_confirm_undo.html", {"merge": merge})
