from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .forms import CustomerForm
from .models import CarePlan, Contact, ContactCadence, Customer, CustomerGroup, Tag
from .services import care as care_services


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ["name", "title", "mobile", "email", "is_primary"]
    extra = 0
    show_change_link = True


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "level", "lifecycle_stage", "owner", "team", "created_at"]
    list_filter = ["lifecycle_stage", "level", "kind", "industry", "source", "team"]
    search_fields = ["name", "phone", "email"]
    autocomplete_fields = ["owner", "team"]
    list_select_related = ["owner", "team"]
    readonly_fields = ["created_by", "updated_by", "consent_at"]
    inlines = [ContactInline]
    show_full_result_count = False

    def get_form(self, request, obj=None, **kwargs):
        # The admin edits through the same form and service as the app.
        form_class = CustomerForm

        class AdminCustomerForm(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        kwargs["form"] = AdminCustomerForm
        kwargs["fields"] = CustomerForm.Meta.fields
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        return [(None, {"fields": CustomerForm.Meta.fields})]

    def save_model(self, request, obj, form, change):
        data = dict(form.cleaned_data)
        owner, tags, groups = data.pop("owner"), data.pop("tags"), data.pop("groups")
        if change:
            saved = services.customer_update(
                actor=request.user, customer=obj, data=data, owner=owner, tags=tags, groups=groups
            )
        else:
            saved = services.customer_create(actor=request.user, data=data, owner=owner, tags=tags, groups=groups)
        form.instance = obj = saved

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        services.customer_refresh_search(customer=form.instance)

    def delete_model(self, request, obj):
        services.customer_delete(actor=request.user, customer=obj)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "colour"]
    search_fields = ["name"]


@admin.register(CustomerGroup)
class CustomerGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "description"]
    list_filter = ["kind"]
    search_fields = ["name"]


class _CareRuleAdmin(admin.ModelAdmin):
    """Care plans and cadences save through the care services, like the in-app pages."""

    create_service = update_service = None
    instance_kwarg = ""

    def save_model(self, request, obj, form, change):
        data = dict(form.cleaned_data)
        if change:
            saved = type(self).update_service(actor=request.user, data=data, **{self.instance_kwarg: obj})
        else:
            saved = type(self).create_service(actor=request.user, data=data)
        form.instance = saved
        obj.pk = saved.pk


@admin.register(CarePlan)
class CarePlanAdmin(_CareRuleAdmin):
    list_display = ["name", "occasion", "channel", "date", "days_before", "level", "group", "is_active"]
    list_filter = ["occasion", "channel", "is_active", "level"]
    search_fields = ["name"]
    list_select_related = ["group"]
    create_service = care_services.care_plan_create
    update_service = care_services.care_plan_update
    instance_kwarg = "plan"


@admin.register(ContactCadence)
class ContactCadenceAdmin(_CareRuleAdmin):
    list_display = ["name", "interval_days", "level", "lifecycle_stage", "group", "channel", "is_active"]
    list_filter = ["is_active", "level", "lifecycle_stage"]
    search_fields = ["name"]
    list_select_related = ["group"]
    create_service = care_services.contact_cadence_create
    update_service = care_services.contact_cadence_update
    instance_kwarg = "cadence"
