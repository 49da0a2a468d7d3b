from django.urls import path

from .views import assets as asset_views
from .views import campaigns as campaign_views
from .views import emails as email_views
from .views import events as event_views
from .views import public as public_views

app_name = "marketing"

urlpatterns = [
    path("", campaign_views.campaign_list, name="campaign-list"),
    path("create/", campaign_views.campaign_create, name="campaign-create"),
    path("<int:pk>/", campaign_views.campaign_detail, name="campaign-detail"),
    path("<int:pk>/update/", campaign_views.campaign_update, name="campaign-update"),
    path("effect/", campaign_views.campaign_effect_view, name="effect-comparison"),
    path("events/", event_views.event_list, name="event-list"),
    path("events/create/", event_views.event_create, name="event-create"),
    path("events/<int:pk>/", event_views.event_detail, name="event-detail"),
    path("events/<int:pk>/update/", event_views.event_update, name="event-update"),
    path("events/<int:pk>/files/<str:part>/", event_views.event_file, name="event-file"),
    path("events/<int:pk>/status/", event_views.event_status, name="event-status"),
    path("events/<int:pk>/progress/", event_views.event_progress, name="event-progress"),
    path("events/<int:pk>/check-in/", event_views.event_check_in, name="event-check-in"),
    path("events/<int:pk>/statistics/", event_views.event_statistics, name="event-statistics"),
    path("events/<int:pk>/registrations/export/", event_views.event_registrations_export, name="event-export"),
    path("emails/", email_views.email_list, name="email-list"),
    path("<int:campaign_pk>/emails/create/", email_views.email_create, name="email-create"),
    path("emails/<int:pk>/", email_views.email_detail, name="email-detail"),
    path("emails/<int:pk>/update/", email_views.email_update, name="email-update"),
    path("emails/<int:pk>/start/", email_views.email_start, name="email-start"),
    path("emails/<int:pk>/resend/", email_views.email_resend, name="email-resend"),
    path("assets/", asset_views.asset_list, name="asset-list"),
    path("assets/create/", asset_views.asset_create, name="asset-create"),
    path("assets/<int:pk>/", asset_views.asset_detail, name="asset-detail"),
    path("assets/<int:pk>/file/", asset_views.asset_file, name="asset-file"),
    path("assets/<int:pk>/update/", asset_views.asset_update, name="asset-update"),
]

# Public pages opened from signed links (no sign-in).
urlpatterns += [
    path("p/register/<str:token>/", public_views.public_register, name="public-register"),
    path("p/event/<str:token>/", public_views.public_event, name="public-event"),
    path("p/cancel/<str:token>/", public_views.public_cancel, name="public-cancel"),
    path("p/survey/<str:token>/", public_views.public_survey, name="public-survey"),
    path("p/unsubscribe/<str:token>/", public_views.public_unsubscribe, name="public-unsubscribe"),
    path("p/lead/<str:token>/", public_views.public_web_form, name="public-web-form"),
]
