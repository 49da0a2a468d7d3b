from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from crm import views as crm_views

admin.site.site_header = _("CRM administration")
admin.site.site_title = _("CRM administration")
admin.site.index_title = _("Users, teams, roles and settings")

urlpatterns = [
    path("", include("reports.urls")),
    path("accounts/", include("accounts.urls")),
    path("customers/", include("customers.urls")),
    path("sales/", include("sales.urls")),
    path("jobs/<int:pk>/", crm_views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/download/", crm_views.job_download, name="job-download"),
    path("admin/", admin.site.urls),
    path("captcha/", include("captcha.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
