"""The agents' side: ticket lists (my tickets, my queues, breaching soon, overdue), the ticket page and its actions."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crm.filters import is_searched
from crm.forms import call_service, refusal_as_message
from crm.importexport.exporter import FORMATS
from crm.importexport.exports import attachment
from crm.pagination import paginate
from crm.storage import serve_field

from .. import selectors
from ..forms import AssignForm, CommentForm, FollowUpForm, TicketEditForm, TicketForm
from ..models import Article
from ..services import exports, surveys, tickets

VIEW_LABELS = {
    "mine": gettext_lazy("My tickets"),
    "queues": gettext_lazy("My queues"),
    "soon": gettext_lazy("Breaching soon"),
    "overdue": gettext_lazy("Overdue"),
    "follow_up": gettext_lazy("Needs follow-up"),
    "all": gettext_lazy("All I can see"),
}


@permission_required("service.view_ticket", raise_exception=True)
def ticket_list(request):
    filterset, view = selectors.ticket_list(user=request.user, data=request.GET)
    page = paginate(filterset.qs, request, searched=is_searched(filterset))
    context = {"filter": filterset, "page": page, "view": view, "now": timezone.now()}
    if request.htmx:
        return render(request, "service/partials/ticket_table.html", context)
    counts = selectors.ticket_view_counts(user=request.user)
    context["views"] = [(key, label, counts.get(key)) for key, label in VIEW_LABELS.items()]
    return render(request, "service/ticket_list.html", context)


@permission_required("service.view_ticket", raise_exception=True)
def ticket_export(request, fmt):
    """The list's current view and filter as XLSX or CSV; a large export runs as a job with progress."""
    if fmt not in FORMATS:
        raise Http404
    query = exports.export_filter(request.GET)
    if exports.TICKETS.too_large(user=request.user, query=query):
        job = exports.ticket_export_start(actor=request.user, data=query, fmt=fmt)
        messages.info(request, _("The export is large; it runs in the background and will be ready to download here."))
        return redirect("job-detail", pk=job.pk)
    return attachment(*exports.tickets_export(actor=request.user, data=query, fmt=fmt))


@permission_required("service.add_ticket", raise_exception=True)
def ticket_pick_customer(request):
    """First step of a new ticket: find the customer it is for."""
    text = request.GET.get("q", "")
    customers = selectors.customers_to_pick(user=request.user, text=text)
    return render(request, "service/ticket_pick_customer.html", {"customers": customers, "q": text})


@permission_required("service.add_ticket", raise_exception=True)
def ticket_create(request, customer_pk):
    customer = selectors.customer_for_ticket(user=request.user, pk=customer_pk)
    queues = selectors.queues_for(user=request.user)
    agents = selectors.agents_of(queues=queues)
    form = TicketForm(request.POST or None, customer=customer, queues=queues, agents=agents, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        ticket = call_service(form, tickets.ticket_create,
            actor=request.user, customer=customer, queue=data.pop("queue"), contact=data.pop("contact"),
            assignee=data.pop("assignee"), data=data,
        )  # fmt: skip
        if not form.errors:
            messages.success(request, _("Ticket %(number)s opened.") % {"number": ticket.number})
            return redirect(ticket)
    return render(request, "service/ticket_form.html", {"form": form, "customer": customer})


def _detail_context(request, ticket, **forms):
    can_change = request.user.has_perm("service.change_ticket")
    return {
        "ticket": ticket,
        "now": timezone.now(),
        "timeline": selectors.ticket_timeline(ticket=ticket),
        "transitions": [(s, tickets.transition_label(ticket, s)) for s in tickets.allowed_transitions(ticket)]
        if can_change
        else [],
        "comment_form": forms.get("comment_form") or CommentForm(),
        "assign_form": forms.get("assign_form")
        or AssignForm(agents=selectors.assignable_agents(ticket=ticket), initial={"assignee": ticket.assignee_id}),
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(),
        "articles": ticket.articles.all(),
        "article_choices": selectors.article_choices(),
        "survey": selectors.ticket_survey(ticket=ticket),
        "status_error": forms.get("status_error"),
    }


@permission_required("service.view_ticket", raise_exception=True)
def ticket_detail(request, pk):
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    return render(request, "service/ticket_detail.html", _detail_context(request, ticket))


@permission_required("service.change_ticket", raise_exception=True)
def ticket_update(request, pk):
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    form = TicketEditForm(request.POST or None, instance=ticket, user=request.user)
    if request.method == "POST" and form.is_valid():
        call_service(form, tickets.ticket_update, actor=request.user, ticket=ticket, data=dict(form.cleaned_data))
        if not form.errors:
            messages.success(request, _("Ticket saved."))
            return redirect(ticket)
    return render(request, "service/ticket_edit.html", {"form": form, "ticket": ticket})


@require_POST
@permission_required("service.change_ticket", raise_exception=True)
def ticket_transition(request, pk):
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    with refusal_as_message(request):
        tickets.ticket_transition(actor=request.user, ticket=ticket, to_status=request.POST.get("status", ""))
        ticket.refresh_from_db()
        messages.success(request, _("Status: %(status)s") % {"status": ticket.get_status_display()})
    return redirect(ticket)


@require_POST
@permission_required("service.change_ticket", raise_exception=True)
def ticket_assign(request, pk):
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    agents = selectors.assignable_agents(ticket=ticket)
    form = AssignForm(request.POST, agents=agents)
    round_robin = "round_robin" in request.POST
    if form.is_valid():
        with refusal_as_message(request):
            tickets.ticket_assign(
                actor=request.user, ticket=ticket, assignee=form.cleaned_data["assignee"], round_robin=round_robin
            )
            messages.success(request, _("Assignment saved."))
            return redirect(ticket)
    return render(request, "service/ticket_detail.html", _detail_context(request, ticket, assign_form=form))


@require_POST
@permission_required("service.change_ticket", raise_exception=True)
def ticket_comment(request, pk):
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    form = CommentForm(request.POST, request.FILES)
    if form.is_valid():
        call_service(form, tickets.ticket_comment_add,
            actor=request.user, ticket=ticket, body=form.cleaned_data["body"],
            is_public=form.cleaned_data["is_public"], files=form.cleaned_data["attachments"],
        )  # fmt: skip
        if not form.errors:
            messages.success(request, _("Comment added."))
            return redirect(ticket)
    context = _detail_context(request, ticket, comment_form=form)
    return render(request, "service/ticket_detail.html", context, status=400)


@require_POST
@permission_required("service.change_ticket", raise_exception=True)
def ticket_article(request, pk):
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    article = get_object_or_404(Article.objects.filter(status=Article.Status.PUBLISHED), pk=request.POST.get("article"))
    tickets.ticket_link_article(
        actor=request.user, ticket=ticket, article=article, linked=request.POST.get("action") != "unlink"
    )
    return redirect(ticket)


@require_POST
@permission_required("service.follow_up_ticket", raise_exception=True)
def ticket_follow_up(request, pk):
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        with refusal_as_message(request):
            surveys.ticket_follow_up_done(actor=request.user, ticket=ticket, note=form.cleaned_data["note"])
            messages.success(request, _("Follow-up recorded."))
        return redirect(ticket)
    return render(request, "service/ticket_detail.html", _detail_context(request, ticket, follow_up_form=form))


@permission_required("service.view_ticket", raise_exception=True)
def attachment_download(request, pk):
    attachment = selectors.attachment_get(user=request.user, pk=pk)
    return serve_field(attachment.file, filename=attachment.name)
