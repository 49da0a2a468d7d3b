from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.admin import ReadOnlyAdmin

from . import tokens
from .models import ApiToken, ServiceAccount, WebhookDelivery, WebhookEndpoint


class ServiceAccountForm(forms.ModelForm):
    username = forms.CharField(label=_("User name"), max_length=150)
    roles = forms.ModelMultipleChoiceField(label=_("Roles"), queryset=Group.objects.all(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The seeded role names are catalog messages (the accounts app's role labels), so the reader sees
        # them in their language; a role an administrator named shows as named.
        self.fields["roles"].label_from_instance = lambda group: gettext(group.name)

    class Meta:
        model = ServiceAccount
        fields = ["description"]


@admin.register(ServiceAccount)
class ServiceAccountAdmin(admin.ModelAdmin):
    """Systems that use the API. Created here with their roles; tokens through the actions of the list."""

    list_display = ["user", "description", "created_at"]
    search_fields = ["user__username", "description"]
    actions = ["make_read_token", "make_write_token"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ServiceAccountForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["username", "roles", "description"] if obj is None else ["user", "description"]

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        account = tokens.service_account_create(
            actor=request.user,
            username=form.cleaned_data["username"],
            description=form.cleaned_data["description"],
            roles=form.cleaned_data["roles"],
        )
        obj.pk, obj.user_id, obj.created_at = account.pk, account.user_id, account.created_at
        obj._state.adding = False

    def _make_token(self, request, queryset, access):
        for account in queryset.select_related("user"):
            _token, key = tokens.token_create(
                actor=request.user, user=account.user, name=str(_("Service account token")), access=access
            )
            messages.warning(
                request,
                _("Token for %(user)s (shown only now, copy it): %(key)s") % {"user": account.user, "key": key},
            )

    @admin.action(description=_("Create a read-only token"))
    def make_read_token(self, request, queryset):
        self._make_token(request, queryset, ApiToken.Access.READ)

    @admin.action(description=_("Create a read-write token"))
    def make_write_token(self, request, queryset):
        self._make_token(request, queryset, ApiToken.Access.WRITE)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "access", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["access", "revoked_at"]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    readonly_fields = ["name", "user", "prefix", "access", "created_at", "expires_at", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            tokens.token_revoke(actor=request.user, token=token)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ["url", "owner", "is_active", "consecutive_failures", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "owner__username"]
    list_select_related = ["owner"]
    exclude = ["secret", "previous_secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["event_type", "endpoint", "status", "attempts", "response_status", "response_ms", "created_at"]
    list_filter = ["status", "event_type"]
    list_select_related = ["endpoint"]
    exclude = ["payload"]
