from django.urls import path

from crm.importexport.views import import_urls

from .services.transfer import CUSTOMER_IMPORT
from .views import care as care_views
from .views import communications as communication_views
from .views import customers as views
from .views import dedupe as dedupe_views
from .views import insight as insight_views
from .views import tasks as task_views
from .views import transfer as transfer_views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="customer-list"),
    path("create/", views.customer_create, name="customer-create"),
    path("bulk/", views.customer_bulk, name="customer-bulk"),
    path("<int:pk>/", views.customer_detail, name="customer-detail"),
    path("<int:pk>/update/", views.customer_update, name="customer-update"),
    path("<int:pk>/delete/", views.customer_delete, name="customer-delete"),
    path("contacts/", views.contact_list, name="contact-list"),
    path("<int:customer_pk>/contacts/create/", views.contact_create, name="contact-create"),
    path("<int:customer_pk>/contacts/<int:pk>/update/", views.contact_update, name="contact-update"),
    path("<int:customer_pk>/contacts/<int:pk>/delete/", views.contact_delete, name="contact-delete"),
    path("communications/", communication_views.communication_list, name="communication-list"),
    path("communications/<int:pk>/update/", communication_views.communication_update, name="communication-update"),
    path("communications/<int:pk>/delete/", communication_views.communication_delete, name="communication-delete"),
    path("<int:pk>/communications/", communication_views.customer_communications, name="customer-communications"),
    path("<int:pk>/communications/create/", communication_views.communication_create, name="communication-create"),
    path("tasks/", task_views.task_list, name="task-list"),
    path("tasks/<int:pk>/complete/", task_views.task_complete, name="task-complete"),
    path("tasks/<int:pk>/reschedule/", task_views.task_reschedule, name="task-reschedule"),
    path("<int:pk>/tasks/", task_views.customer_tasks, name="customer-tasks"),
    path("<int:pk>/tasks/create/", task_views.task_create, name="task-create"),
]

# Customer care, the 360 timeline and personal data (customers/views/care.py, insight.py).
urlpatterns += [
    path("care/", care_views.care_list, name="care-list"),
    path("care/<int:pk>/done/", care_views.care_action_done, name="care-action-done"),
    path("care/<int:pk>/skip/", care_views.care_action_skip, name="care-action-skip"),
    path("care/<int:pk>/send/", care_views.care_action_send, name="care-action-send"),
    path("care/plans/", care_views.care_plan_list, name="care-plan-list"),
    path("care/plans/create/", care_views.care_plan_create, name="care-plan-create"),
    path("care/plans/<int:pk>/update/", care_views.care_plan_update, name="care-plan-update"),
    path("care/cadences/create/", care_views.cadence_create, name="care-cadence-create"),
    path("care/cadences/<int:pk>/update/", care_views.cadence_update, name="care-cadence-update"),
    path("<int:pk>/timeline/", insight_views.customer_timeline, name="customer-timeline"),
    path("<int:pk>/consent/", insight_views.customer_consent, name="customer-consent"),
    path("<int:pk>/personal-data/", insight_views.customer_personal_data, name="customer-personal-data"),
    path("<int:pk>/erase/", insight_views.customer_erase, name="customer-erase"),
]

# Duplicates and merges (customers/views/dedupe.py).
urlpatterns += [
    path("duplicates/", dedupe_views.duplicate_list, name="duplicate-list"),
    path("duplicates/check/", dedupe_views.duplicate_check, name="duplicate-check"),
    path("<int:pk>/merge/<int:other_pk>/", dedupe_views.customer_merge_view, name="customer-merge"),
    path("merges/", dedupe_views.merge_list, name="merge-list"),
    path("merges/<int:pk>/undo/", dedupe_views.merge_undo, name="merge-undo"),
]

# Import and export (customers/views/transfer.py).
urlpatterns += [
    *import_urls(CUSTOMER_IMPORT, "import/"),
    path("export/", transfer_views.customer_export, name="customer-export"),
]
