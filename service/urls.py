from django.urls import path

from .views import knowledge, public, statistics, tickets

app_name = "service"

urlpatterns = [
    path("", tickets.ticket_list, name="ticket-list"),
    path("export/<str:fmt>/", tickets.ticket_export, name="ticket-export"),
    path("new/", tickets.ticket_pick_customer, name="ticket-pick-customer"),
    path("new/<int:customer_pk>/", tickets.ticket_create, name="ticket-create"),
    path("<int:pk>/", tickets.ticket_detail, name="ticket-detail"),
    path("<int:pk>/update/", tickets.ticket_update, name="ticket-update"),
    path("<int:pk>/status/", tickets.ticket_transition, name="ticket-transition"),
    path("<int:pk>/assign/", tickets.ticket_assign, name="ticket-assign"),
    path("<int:pk>/comment/", tickets.ticket_comment, name="ticket-comment"),
    path("<int:pk>/article/", tickets.ticket_article, name="ticket-article"),
    path("<int:pk>/follow-up/", tickets.ticket_follow_up, name="ticket-follow-up"),
    path("attachments/<int:pk>/", tickets.attachment_download, name="attachment-download"),
    path("statistics/", statistics.statistics, name="statistics"),
    path("kb/", knowledge.article_list, name="article-list"),
    path("kb/create/", knowledge.article_create, name="article-create"),
    path("kb/<int:pk>/", knowledge.article_detail, name="article-detail"),
    path("kb/<int:pk>/update/", knowledge.article_update, name="article-update"),
    path("help/", knowledge.help_index, name="help"),
    path("public/ticket/", public.ticket_submit, name="public-ticket-submit"),
    path("public/track/<str:token>/", public.ticket_track, name="public-ticket-track"),
    path("public/survey/<str:token>/", public.survey, name="public-survey"),
]
