"""Tickets over the API (+ comment, transition, assign): the same forms, selectors and services as the
pages (service/views/tickets.py). Tickets are not deleted on the pages, so not here either."""

from django import forms
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from crm.api.viewsets import ERROR_RESPONSES, WRITE_RESPONSES, ApiFilterBackend, ResourceViewSet, resource
from crm.storage import serve_field

from .. import selectors
from ..filters import TicketFilter
from ..forms import AssignForm, CommentForm, TicketEditForm, TicketForm
from ..models import Ticket
from ..services import tickets
from .serializers import TicketCommentSerializer, TicketSerializer


class TicketFilterBackend(ApiFilterBackend):
    """The list's filters plus its views (mine, my queues, breaching soon…), as on the page."""

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": "view",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": selectors.VIEWS},
                "description": "One of the ticket list's views; the default is `all` (every ticket you may see).",
            },
        ]


class TransitionForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=Ticket.Status.choices)


class ApiCommentForm(CommentForm):
    """The page's comment form; its files come from a multipart body's ``attachments`` parts, which the
    service checks (size, type by content) as it does the page's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["attachments"]


def _customer(user, data):
    """The customer named in the input, if the user may see it (else a field error, never its data)."""
    try:
        return selectors.customer_for_ticket(user=user, pk=int(data.get("customer")))
    except (TypeError, ValueError, Http404) as error:
        raise exceptions.ValidationError({"customer": [_("Choose a customer you can see.")]}) from error


transition_request = inline_serializer(
    "TicketTransition", {"status": serializers.ChoiceField(choices=Ticket.Status.choices)}
)
assign_request = inline_serializer(
    "TicketAssign",
    {
        "assignee": serializers.IntegerField(required=False, allow_null=True),
        "round_robin": serializers.BooleanField(required=False),
    },
)
comment_request = inline_serializer(
    "TicketCommentCreate",
    {"body": serializers.CharField(), "is_public": serializers.BooleanField(required=False, default=False)},
)
comment_upload_request = inline_serializer(
    "TicketCommentUpload",
    {
        "body": serializers.CharField(),
        "is_public": serializers.BooleanField(required=False, default=False),
        "attachments": serializers.ListField(child=serializers.FileField(), required=False),
    },
)
comment_list = inline_serializer("TicketCommentList", {"results": TicketCommentSerializer(many=True)})


class FileRenderer(BaseRenderer):
    """Lets a client that asks for the file itself (``Accept: application/octet-stream``) be answered;
    the view returns the file's own response, so nothing is rendered here."""

    media_type = "application/octet-stream"
    format = "file"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else JSONRenderer().render(data)


class TicketViewSet(ResourceViewSet):
    """Tickets in the caller's scope: opened for a customer into a queue, edited, moved along the workflow
    (new → assigned → in progress → waiting → resolved → closed, reopen allowed), assigned and commented."""

    serializer_class = TicketSerializer
    filterset_class = TicketFilter
    filter_backends = [TicketFilterBackend]
    orderings = ("id", "created_at", "updated_at")
    default_ordering = "-created_at"
    operations = ("list", "retrieve", "create", "update")
    action_permissions = {name: "service.change_ticket" for name in ("transition", "assign", "comment")}

    def get_queryset(self):
        return Ticket.objects.visible_to(self.request.user)

    def list_source(self, params):
        if not params.get("view"):
            params["view"] = "all"
        filterset, _view = selectors.ticket_list(user=self.request.user, data=params)
        return filterset

    def get_object(self):
        return selectors.ticket_get(user=self.request.user, pk=self.kwargs["pk"])

    def validate_input(self, data, instance=None):
        # A new ticket takes the page's "new ticket" form, a change the page's edit form.
        self.form_class = TicketForm if instance is None else TicketEditForm
        return super().validate_input(data, instance)

    def form_kwargs(self, data, instance=None):
        user = self.request.user
        if instance is not None:
            return {"user": user}
        queues = selectors.queues_for(user=user)
        return {"customer": _customer(user, data), "queues": queues, "agents": selectors.agents_of(queues=queues),
                "user": user}  # fmt: skip

    def create_from(self, cleaned):
        data = dict(cleaned)
        queue, contact, assignee = data.pop("queue"), data.pop("contact"), data.pop("assignee")
        customer = _customer(self.request.user, self.current_input)
        return tickets.ticket_create(
            actor=self.request.user, customer=customer, queue=queue, contact=contact, assignee=assignee, data=data
        )

    def update_from(self, obj, cleaned, version):
        return tickets.ticket_update(actor=self.request.user, ticket=obj, data=dict(cleaned))

    @extend_schema(tags=["tickets"], request=transition_request, responses={200: TicketSerializer, **WRITE_RESPONSES})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """One step along the workflow; a step the workflow does not allow answers 400 naming both statuses."""
        ticket = self.get_object()
        to_status = self.action_input(TransitionForm)["status"]
        return self.act(
            ticket, lambda _version: tickets.ticket_transition(actor=request.user, ticket=ticket, to_status=to_status)
        )

    @extend_schema(tags=["tickets"], request=assign_request, responses={200: TicketSerializer, **WRITE_RESPONSES})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """To an agent of the ticket's queue, or with ``round_robin`` to the queue's next agent."""
        ticket = self.get_object()
        data = self.action_input(AssignForm, agents=selectors.assignable_agents(ticket=ticket))
        round_robin = isinstance(request.data, dict) and request.data.get("round_robin") in (True, "true", "1")
        return self.act(
            ticket,
            lambda _version: tickets.ticket_assign(
                actor=request.user, ticket=ticket, assignee=data["assignee"], round_robin=round_robin
            ),
        )

    @extend_schema(
        tags=["tickets"],
        request={"application/json": comment_request, "multipart/form-data": comment_upload_request},
        responses={201: TicketCommentSerializer, **WRITE_RESPONSES},
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser])
    def comment(self, request, pk=None):
        """An internal note, or with ``is_public`` an answer e-mailed to the customer (it stops the
        first-response clock). Files go as ``attachments`` parts of a multipart body."""
        ticket = self.get_object()
        files = request.FILES.getlist("attachments") if request.FILES else []
        data = self.action_input(ApiCommentForm)
        comment = self.write(
            tickets.ticket_comment_add,
            actor=request.user,
            ticket=ticket,
            body=data["body"],
            is_public=data["is_public"],
            files=files,
        )
        return Response(
            TicketCommentSerializer(comment, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(tags=["tickets"], responses={200: comment_list, **ERROR_RESPONSES})
    @action(detail=True, methods=["get"])
    def comments(self, request, pk=None):
        """Every comment on the ticket, oldest first, internal ones included (as the ticket page shows an
        agent), each with its files and their download links."""
        ticket = self.get_object()
        rows = selectors.ticket_comments(ticket=ticket)
        context = self.get_serializer_context()
        return Response({"results": TicketCommentSerializer(rows, many=True, context=context).data})

    @extend_schema(
        tags=["tickets"],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **ERROR_RESPONSES},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_pk>[0-9]+)",
        url_name="attachment",
        renderer_classes=[JSONRenderer, FileRenderer],
    )
    def attachment(self, request, pk=None, attachment_pk=None):
        """One file of the ticket, as uploaded."""
        attachment = selectors.ticket_attachment(ticket=self.get_object(), pk=attachment_pk)
        return serve_field(attachment.file, filename=attachment.name)


TicketViewSet = resource(TicketViewSet, tag="tickets")
