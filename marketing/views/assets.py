"""Marketing assets: a tagged library with previews and where each asset is used."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin

from crm.forms import call_service
from crm.pagination import paginate
from crm.storage import serve_field

from .. import selectors
from ..forms import AssetForm
from ..services import assets as services


@permission_required("marketing.view_asset", raise_exception=True)
def asset_list(request):
    filterset = selectors.asset_list(user=request.user, data=request.GET)
    page = paginate(filterset.qs, request, per_page=24)
    return render(request, "marketing/asset_list.html", {"filter": filterset, "page": page})


@permission_required("marketing.view_asset", raise_exception=True)
def asset_detail(request, pk):
    asset = selectors.asset_get(user=request.user, pk=pk)
    return render(
        request,
        "marketing/asset_detail.html",
        {"asset": asset, **selectors.asset_usage(user=request.user, asset=asset)},
    )


@xframe_options_sameorigin
@permission_required("marketing.view_asset", raise_exception=True)
def asset_file(request, pk):
    """The file through the scope check (previews embed this, never the media URL)."""
    asset = selectors.asset_get(user=request.user, pk=pk)
    return serve_field(
        asset.file,
        as_attachment=not (asset.is_image or asset.is_pdf),
        content_type=asset.content_type or "application/octet-stream",
    )


def _form(request, asset=None):
    return AssetForm(
        request.POST or None,
        request.FILES or None,
        instance=asset,
        campaigns=selectors.campaign_choices(user=request.user),
        events=selectors.event_choices(user=request.user),
    )


@permission_required("marketing.add_asset", raise_exception=True)
def asset_create(request):
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        asset = call_service(form, services.asset_create,
            actor=request.user, data=data, upload=request.FILES.get("file"),
            campaigns=data["campaigns"], events=data["events"],
        )  # fmt: skip
        if not form.errors:
            messages.success(request, _("Asset uploaded."))
            return redirect(asset)
    return render(request, "marketing/asset_form.html", {"form": form})


@permission_required("marketing.change_asset", raise_exception=True)
def asset_update(request, pk):
    asset = selectors.asset_get(user=request.user, pk=pk)
    form = _form(request, asset)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        call_service(form, services.asset_update,
            actor=request.user, asset=asset, data=data, upload=request.FILES.get("file"),
            campaigns=data["campaigns"], events=data["events"],
        )  # fmt: skip
        if not form.errors:
            messages.success(request, _("Asset saved."))
            return redirect(asset)
    return render(request, "marketing/asset_form.html", {"form": form, "asset": asset})
