from django.urls import path

from .views import customers as views

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
]
