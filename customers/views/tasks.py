"""Follow-up tasks: "my tasks", the customer page's task card, and the create/complete/reschedule actions.

The actions answer htmx with the part of the page they were posted from: the customer page's card
(its id is ``customer-tasks``) or the sections of "my tasks"; a plain post is redirected back.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.forms import call_service

from .. import selectors
from ..forms import FollowUpTaskForm, TaskRescheduleForm
from ..services import follow_ups as services

CUSTOMER_PANEL = "customers/partials/customer_tasks.html"
MY_SECTIONS = "customers/partials/task_sections.html"
CUSTOMER_TARGET = "customer-tasks"


@require_GET
@permission_required("customers.view_followuptask", raise_exception=True)
def task_list(request):
    context = selectors.my_tasks(user=request.user)
    template = MY_SECTIONS if request.htmx else "customers/task_list.html"
    return render(request, template, context)


def _customer_panel(request, customer, form=None, error=""):
    context = {
        "customer": customer,
        "tasks": selectors.tasks_open_for_customer(customer=customer),
        "form": form or FollowUpTaskForm(user=request.user),
        "error": error,
        "now": timezone.now(),
    }
    return render(request, CUSTOMER_PANEL, context)


@require_GET
@permission_required("customers.view_followuptask", raise_exception=True)
def customer_tasks(request, pk):
    """The customer page's task card, loaded by htmx after the page itself."""
    customer = selectors.customer_get(user=request.user, pk=pk)
    return _customer_panel(request, customer)


@require_POST
@permission_required("customers.add_followuptask", raise_exception=True)
def task_create(request, pk):
    customer = selectors.customer_get(user=request.user, pk=pk)
    form = FollowUpTaskForm(request.POST, user=request.user)
    if form.is_valid():
        call_service(form, services.task_create, actor=request.user, customer=customer, data=dict(form.cleaned_data))
    saved = not form.errors
    if request.htmx:
        return _customer_panel(request, customer, form=None if saved else form)
    if saved:
        messages.success(request, _("Task added."))
    else:
        messages.error(request, _("The task was not added: %(errors)s") % {"errors": _errors_text(form)})
    return redirect(customer)


def _errors_text(form) -> str:
    return " ".join(
        f"{form.fields[f].label if f in form.fields else ''} {' '.join(e)}".strip() for f, e in form.errors.items()
    )


def _answer(request, task, error=""):
    """What a complete or reschedule action sends back."""
    if request.htmx and request.htmx.target == CUSTOMER_TARGET:
        return _customer_panel(request, task.customer, error=error)
    if request.htmx:
        return render(request, MY_SECTIONS, {**selectors.my_tasks(user=request.user), "error": error})
    if error:
        messages.error(request, error)
    next_url = request.POST.get("next") or reverse("customers:task-list")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("customers:task-list")
    return redirect(next_url)


@require_POST
@permission_required("customers.change_followuptask", raise_exception=True)
def task_complete(request, pk):
    task = selectors.task_get(user=request.user, pk=pk)
    services.task_complete(actor=request.user, task=task)
    return _answer(request, task)


@require_POST
@permission_required("customers.change_followuptask", raise_exception=True)
def task_reschedule(request, pk):
    task = selectors.task_get(user=request.user, pk=pk)
    form = TaskRescheduleForm(request.POST)
    error = ""
    if form.is_valid():
        call_service(form, services.task_reschedule, actor=request.user, task=task, due_at=form.cleaned_data["due_at"])
    if form.errors:
        error = _("“%(task)s” was not rescheduled: %(errors)s") % {"task": task.title, "errors": _errors_text(form)}
    return _answer(request, task, error=error)
