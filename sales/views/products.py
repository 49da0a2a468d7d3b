from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from crm.forms import call_service
from crm.pagination import paginate

from .. import selectors
from ..forms import CategoryForm, ProductForm
from ..services import products as services
from .common import render_form_context


@permission_required("sales.view_product", raise_exception=True)
def product_list(request):
    filterset = selectors.product_list(data=request.GET)
    page = paginate(filterset.qs, request)
    return render(request, "sales/product_list.html", {"filter": filterset, "page": page})


@permission_required("sales.view_product", raise_exception=True)
def product_detail(request, pk):
    product = selectors.product_get(pk=pk)
    return render(request, "sales/product_detail.html", {"product": product})


def _product_form(request, product=None):
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        if product is None:
            saved = call_service(form, services.product_create, actor=request.user, data=form.cleaned_data)
        else:
            saved = call_service(
                form, services.product_update, actor=request.user, product=product, data=form.cleaned_data
            )
        if saved is not None:
            messages.success(request, _("Product %(name)s saved.") % {"name": saved.name})
            return redirect(saved)
    title = _("Edit product") if product else _("New product")
    cancel = product.get_absolute_url() if product else reverse("sales:product-list")
    parents = [(reverse("sales:product-list"), _("Products"))]
    return render(
        request, "form_page.html", render_form_context(title=title, form=form, cancel_url=cancel, parents=parents)
    )


@permission_required("sales.add_product", raise_exception=True)
def product_create(request):
    return _product_form(request)


@permission_required("sales.change_product", raise_exception=True)
def product_update(request, pk):
    return _product_form(request, selectors.product_get(pk=pk))


@permission_required("sales.add_productcategory", raise_exception=True)
def category_create(request):
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        category = call_service(
            form, services.category_create, actor=request.user, name=form.cleaned_data["name"],
            parent=form.cleaned_data["parent"],
        )  # fmt: skip
        if category is not None:
            messages.success(request, _("Category %(name)s added.") % {"name": category.name})
            return redirect("sales:product-list")
    parents = [(reverse("sales:product-list"), _("Products"))]
    context = render_form_context(
        title=_("New product category"), form=form, cancel_url=reverse("sales:product-list"), parents=parents
    )
    return render(request, "form_page.html", context)
