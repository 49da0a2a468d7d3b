from django.urls import include, path

from . import views

report_patterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("big-screen/", views.big_screen, name="big-screen"),
    path("templates/", views.template_list, name="template-list"),
    path("templates/<slug:key>/", views.template_detail, name="template-detail"),
    path("builder/", views.report_builder, name="report-builder"),
    path("saved/", views.saved_report_list, name="saved-report-list"),
    path("saved/save/", views.saved_report_save, name="saved-report-save"),
    path("saved/<int:pk>/", views.saved_report_detail, name="saved-report-detail"),
    path("saved/<int:pk>/delete/", views.saved_report_delete, name="saved-report-delete"),
    path("saved/<int:pk>/schedules/", views.schedule_create, name="schedule-create"),
    path("schedules/<int:pk>/delete/", views.schedule_delete, name="schedule-delete"),
    path("statistics/", views.statistics_view, name="statistics"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("reports/", include((report_patterns, "reports"))),
]
