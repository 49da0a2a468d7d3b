from django.urls import path

from crm.importexport.views import import_urls

from .services.imports import LEAD_IMPORT
from .views import analytics, contracts, leads, opportunities, orders, products

app_name = "sales"

urlpatterns = [
    path("products/", products.product_list, name="product-list"),
    path("products/create/", products.product_create, name="product-create"),
    path("products/<int:pk>/", products.product_detail, name="product-detail"),
    path("products/<int:pk>/update/", products.product_update, name="product-update"),
    path("products/categories/create/", products.category_create, name="category-create"),
    path("leads/", leads.lead_list, name="lead-list"),
    path("leads/create/", leads.lead_create, name="lead-create"),
    path("leads/bulk/", leads.lead_bulk, name="lead-bulk"),
    *import_urls(LEAD_IMPORT, "leads/import/"),
    path("leads/<int:pk>/", leads.lead_detail, name="lead-detail"),
    path("leads/<int:pk>/update/", leads.lead_update, name="lead-update"),
    path("leads/<int:pk>/status/", leads.lead_status, name="lead-status"),
    path("leads/<int:pk>/assign/", leads.lead_assign, name="lead-assign"),
    path("leads/<int:pk>/convert/", leads.lead_convert, name="lead-convert"),
    path("opportunities/", opportunities.opportunity_list, name="opportunity-list"),
    path("opportunities/board/", opportunities.opportunity_board, name="opportunity-board"),
    path("opportunities/export/", opportunities.opportunity_export, name="opportunity-export"),
    path("opportunities/create/", opportunities.opportunity_create, name="opportunity-create"),
    path("opportunities/contacts/", opportunities.customer_contacts, name="customer-contacts"),
    path("opportunities/<int:pk>/", opportunities.opportunity_detail, name="opportunity-detail"),
    path("opportunities/<int:pk>/update/", opportunities.opportunity_update, name="opportunity-update"),
    path("opportunities/<int:pk>/move/", opportunities.opportunity_move, name="opportunity-move"),
    path("opportunities/<int:pk>/close/", opportunities.opportunity_close, name="opportunity-close"),
    path("opportunities/<int:pk>/lines/add/", opportunities.opportunity_line_add, name="opportunity-line-add"),
    path(
        "opportunities/<int:pk>/lines/<int:line_pk>/delete/",
        opportunities.opportunity_line_delete,
        name="opportunity-line-delete",
    ),
    path("orders/", orders.order_list, name="order-list"),
    path("orders/create/", orders.order_create, name="order-create"),
    path("orders/<int:pk>/", orders.order_detail, name="order-detail"),
    path("orders/<int:pk>/update/", orders.order_update, name="order-update"),
    path("orders/<int:pk>/confirm/", orders.order_confirm, name="order-confirm"),
    path("orders/<int:pk>/cancel/", orders.order_cancel, name="order-cancel"),
    path("orders/<int:pk>/advance/", orders.order_advance, name="order-advance"),
    path("orders/<int:pk>/pdf/", orders.order_pdf_view, name="order-pdf"),
    path("contracts/", contracts.contract_list, name="contract-list"),
    path("contracts/expiring/", contracts.contract_expiring, name="contract-expiring"),
    path("contracts/create/", contracts.contract_create, name="contract-create"),
    path("contracts/<int:pk>/", contracts.contract_detail, name="contract-detail"),
    path("contracts/<int:pk>/update/", contracts.contract_update, name="contract-update"),
    path("contracts/<int:pk>/renew/", contracts.contract_renew, name="contract-renew"),
    path("contracts/<int:pk>/files/", contracts.contract_file_add, name="contract-file-add"),
    path("contracts/<int:pk>/files/<int:file_pk>/", contracts.contract_file_download, name="contract-file"),
    path("targets/", analytics.target_list, name="target-list"),
    path("targets/create/", analytics.target_create, name="target-create"),
    path("forecast/", analytics.forecast, name="forecast"),
    path("performance/", analytics.performance, name="performance"),
]
