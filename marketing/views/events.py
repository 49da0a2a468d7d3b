"""Events for staff: list, detail with live progress, create and edit, the workflow, check-in, statistics."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.forms import call_service, refusal_as_message
from crm.importexport.exports import attachment
from crm.pagination import paginate
from crm.storage import serve_field

from .. import links, selectors
from ..forms import CheckInForm, EventForm, EventStatusForm
from ..models import Event
from ..services import events as services
from ..services import registrations


@permission_required("marketing.view_event", raise_exception=True)
def event_list(request):
    filterset = selectors.event_list(user=request.user, data=request.GET)
    page = paginate(filterset.qs, request)
    template = "marketing/partials/event_table.html" if request.htmx else "marketing/event_list.html"
    return render(request, template, {"filter": filterset, "page": page})


@permission_required("marketing.view_event", raise_exception=True)
def event_file(request, pk, part):
    """An event's poster or invitation file, to those who may see the event."""
    event = selectors.event_get(user=request.user, pk=pk)
    file = {"poster": event.poster, "invitation": event.invitation_file}.get(part)
    if not file:
        raise Http404
    return serve_field(file)


@permission_required("marketing.view_event", raise_exception=True)
def event_detail(request, pk):
    event = selectors.event_get(user=request.user, pk=pk)
    return render(request, "marketing/event_detail.html", _detail_context(request, event))


def _detail_context(request, event):
    return {
        "event": event,
        "progress": selectors.event_progress(event=event),
        "page": paginate(selectors.event_registrations(event=event), request, per_page=50),
        "public_url": links.event_url(event),
        "next_statuses": services.event_next_statuses(event=event),
        "assets": event.assets.all(),
    }


@permission_required("marketing.view_event", raise_exception=True)
def event_progress(request, pk):
    """The live numbers, polled by htmx while the event page is open."""
    event = selectors.event_get(user=request.user, pk=pk)
    return render(
        request,
        "marketing/partials/event_progress.html",
        {"event": event, "progress": selectors.event_progress(event=event)},
    )


def _form(request, event=None, campaign_pk=None):
    initial = {"campaign": campaign_pk} if campaign_pk else None
    return EventForm(
        request.POST or None,
        request.FILES or None,
        instance=event,
        initial=initial,
        user=request.user,
        campaigns=selectors.campaign_choices(user=request.user),
    )


def _save(request, form, event=None):
    data = {k: v for k, v in form.cleaned_data.items() if k in services.EVENT_FIELDS}
    files = {k: request.FILES[k] for k in ("poster", "invitation_file") if k in request.FILES}
    if event is None:
        return call_service(
            form, services.event_create, actor=request.user, campaign=form.cleaned_data["campaign"], data=data,
            files=files, audience=form.audience(),
        )  # fmt: skip
    return call_service(
        form, services.event_update, actor=request.user, event=event, data=data, files=files, audience=form.audience()
    )


@permission_required("marketing.add_event", raise_exception=True)
def event_create(request):
    campaign_pk = request.GET.get("campaign")
    form = _form(request, campaign_pk=campaign_pk if campaign_pk and campaign_pk.isdigit() else None)
    if request.method == "POST" and form.is_valid() and (event := _save(request, form)):
        messages.success(request, _("Event created."))
        return redirect(event)
    return render(request, "marketing/event_form.html", {"form": form})


@permission_required("marketing.change_event", raise_exception=True)
def event_update(request, pk):
    event = selectors.event_get(user=request.user, pk=pk)
    form = _form(request, event=event)
    if request.method == "POST" and form.is_valid() and _save(request, form, event):
        messages.success(request, _("Event saved."))
        return redirect(event)
    return render(request, "marketing/event_form.html", {"form": form, "event": event})


@require_POST
@permission_required("marketing.change_event", raise_exception=True)
def event_status(request, pk):
    event = selectors.event_get(user=request.user, pk=pk)
    form = EventStatusForm(request.POST)
    if not form.is_valid():
        for message in form.errors["status"]:
            messages.error(request, message)
        return render(request, "marketing/event_detail.html", _detail_context(request, event), status=400)
    status = form.cleaned_data["status"]
    if status == Event.Status.PUBLISHED and not request.user.has_perm("marketing.publish_event"):
        messages.error(request, _("You may not publish events."))
        return redirect(event)
    with refusal_as_message(request):
        services.event_set_status(actor=request.user, event=event, status=status)
        if status == Event.Status.PUBLISHED:
            messages.success(request, _("Event published; the invitations are being sent."))
        else:
            messages.success(request, _("Event status changed."))
    return redirect(event)


@permission_required("marketing.checkin_event", raise_exception=True)
def event_check_in(request, pk):
    """Check-in at the door, made for a phone: scan the QR code with the camera or type the code."""
    event = selectors.event_get(user=request.user, pk=pk)
    form = CheckInForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        checked_in = call_service(
            form, registrations.registration_check_in, actor=request.user, event=event, code=form.cleaned_data["code"]
        )
        if checked_in:
            registration, first = checked_in
            result = {"registration": registration, "first": first}
            form = CheckInForm()
    context = {"event": event, "form": form, "result": result, "progress": selectors.event_progress(event=event)}
    template = "marketing/partials/check_in_result.html" if request.htmx else "marketing/event_check_in.html"
    return render(request, template, context)


@permission_required("marketing.view_event", raise_exception=True)
def event_statistics(request, pk):
    event = selectors.event_get(user=request.user, pk=pk)
    return render(
        request, "marketing/event_statistics.html", {"event": event, "stats": selectors.event_statistics(event=event)}
    )


@permission_required("marketing.view_registration", raise_exception=True)
def event_registrations_export(request, pk):
    """The registration list as a spreadsheet, for badges and the sign-in sheet."""
    event = selectors.event_get(user=request.user, pk=pk)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404
    return attachment(*registrations.registrations_export(actor=request.user, event=event, fmt=fmt))
