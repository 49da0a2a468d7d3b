from django.contrib import admin
from django.contrib.admin.filters import RelatedFieldListFilter
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db.models import Count
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_celery_beat import admin as celery_beat_admin
from django_celery_beat.models import CrontabSchedule
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from crm.audit import log_action
from crm.models import BehaviourLog
from crm.scope import Module

from . import services, two_factor
from .models import Role, RolePolicy, RoleScope, Team, User
from .roles import role_label
from .timezones import time_zone_choices


class TeamChildInline(admin.TabularInline):
    model = Team
    fk_name = "parent"
    fields = ["name", "kind", "manager"]
    autocomplete_fields = ["manager"]
    extra = 0
    verbose_name = _("sub-team")
    verbose_name_plural = _("sub-teams")


class TeamMemberInline(admin.TabularInline):
    model = User
    fields = ["username", "first_name", "last_name", "email", "is_active"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("member")
    verbose_name_plural = _("members")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "manager"]
    list_filter = ["kind", "parent"]
    search_fields = ["name"]
    autocomplete_fields = ["parent", "manager"]
    list_select_related = ["parent", "manager"]
    inlines = [TeamChildInline, TeamMemberInline]


class RoleListFilter(RelatedFieldListFilter):
    """The roles a list is filtered by, named in the reader's language like everywhere else."""

    def field_choices(self, field, request, model_admin):
        return [(pk, role_label(name)) for pk, name in super().field_choices(field, request, model_admin)]


@admin.register(User)
class CrmUserAdmin(UserAdmin):
    list_display = ["sign_in_name", "get_full_name", "email", "team", "roles", "is_active", "is_staff", "last_login"]
    list_display_links = ["sign_in_name"]
    list_filter = ["is_active", "is_staff", "is_superuser", ("groups", RoleListFilter), "team", "language"]
    search_fields = ["username", "first_name", "last_name", "email", "phone"]
    autocomplete_fields = ["team"]
    list_select_related = ["team"]
    fieldsets = UserAdmin.fieldsets + ((_("CRM"), {"fields": ("team", "phone", "language", "timezone")}),)
    add_fieldsets = UserAdmin.add_fieldsets + (
        (_("CRM"), {"fields": ("first_name", "last_name", "email", "team", "groups", "language")}),
    )

    actions = ["unlock_sign_in", "sign_out_everywhere", "reset_two_factor"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups":
            # The CRM calls Django's groups roles; an administrator adding a user looks for "roles".
            field.label = capfirst(_("roles"))
            field.help_text = _("What the user may do; a role's scope decides which records they see.")
            field.label_from_instance = lambda group: role_label(group.name)
            # The two-list selector names its lists after the field ("Available roles"), not Django's "groups".
            widget = getattr(field.widget, "widget", field.widget)
            widget.verbose_name = _("roles")
        return field

    @admin.action(description=_("Unlock sign-in of the selected users"), permissions=["change"])
    def unlock_sign_in(self, request, queryset):
        for user in queryset:
            services.user_unlock(actor=request.user, user=user)
        self.message_user(request, _("Sign-in unlocked for %(count)d users.") % {"count": len(queryset)})

    @admin.action(description=_("Sign the selected users out everywhere"), permissions=["change"])
    def sign_out_everywhere(self, request, queryset):
        ended = sum(services.user_sign_out_everywhere(actor=request.user, user=user) for user in queryset)
        self.message_user(request, _("%(count)d sessions ended.") % {"count": ended})

    @admin.action(description=_("Reset two-factor sign-in of the selected users"), permissions=["change"])
    def reset_two_factor(self, request, queryset):
        """For a lost phone with no recovery code left: the user sets up a new app at the next sign-in."""
        for user in queryset:
            two_factor.two_factor_reset(actor=request.user, user=user)
        self.message_user(request, _("Two-factor sign-in reset for %(count)d users.") % {"count": len(queryset)})

    @admin.display(description=_("username"), ordering="username")
    def sign_in_name(self, obj):
        # A user name is data that happens to look like words ("manager"): not for translation tools.
        return format_html('<span translate="no">{}</span>', obj.username)

    @admin.display(description=_("roles"))
    def roles(self, obj):
        return ", ".join(role_label(g.name) for g in obj.groups.all())

    def save_related(self, request, form, formsets, change):
        before = set(form.instance.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(form.instance.groups.values_list("name", flat=True))
        if before != after:
            log_action(
                actor=request.user,
                action=BehaviourLog.Action.PERMISSION_CHANGE,
                obj=form.instance,
                detail={"roles_before": sorted(before), "roles_after": sorted(after)},
            )


class RoleScopeInline(admin.TabularInline):
    model = RoleScope
    extra = 0
    fields = ["module", "scope"]


class RolePolicyInline(admin.StackedInline):
    model = RolePolicy
    can_delete = False
    max_num = 1
    min_num = 1


admin.site.unregister(Group)


@admin.register(Role)
class RoleAdmin(GroupAdmin):
    list_display = ["label", "scopes", "two_factor", "member_count"]
    inlines = [RolePolicyInline, RoleScopeInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("sign_in_policy").prefetch_related("record_scopes")
        return queryset.annotate(members=Count("user"))

    @admin.display(description=_("name"), ordering="name")
    def label(self, obj):
        return role_label(obj.name)

    @admin.display(description=_("record scopes"))
    def scopes(self, obj):
        return ", ".join(f"{s.get_module_display()}: {s.get_scope_display()}" for s in obj.record_scopes.all())

    @admin.display(description=_("two-factor sign-in required"), boolean=True)
    def two_factor(self, obj):
        policy = getattr(obj, "sign_in_policy", None)
        return bool(policy and policy.two_factor_required)

    @admin.display(description=_("members"))
    def member_count(self, obj):
        return obj.members

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        log_action(
            actor=request.user,
            action=BehaviourLog.Action.PERMISSION_CHANGE,
            obj=form.instance,
            module=Module.ACCOUNTS,
            detail={"permissions": sorted(form.instance.permissions.values_list("codename", flat=True))},
        )


# Authenticator apps are set up by their users and reset with the user list's action; the raw device rows
# (secret keys, counters) are not edited by hand, and django-otp's own admin pages cannot be translated (its
# fields carry no translatable names). So they are not offered.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


admin.site.unregister(CrontabSchedule)


@admin.register(CrontabSchedule)
class CrontabScheduleAdmin(celery_beat_admin.CrontabScheduleAdmin):
    """celery beat's schedules, with the time zones offered as everywhere else: common ones first, by name."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "timezone":
            field.choices = time_zone_choices()
        return field
