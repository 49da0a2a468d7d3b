from captcha import urls as captcha_urls
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from crm import views as crm_views

admin.site.site_header = _("CRM administration")
admin.site.site_title = _("CRM administration")
admin.site.index_title = _("Users, teams, roles and settings")

# The captcha's picture (and its audio and refresh) is shown on public forms to visitors who are not
# signed in, so LoginRequiredMiddleware must let them through.
for _captcha_pattern in captcha_urls.urlpatterns:
    login_not_required(_captcha_pattern.callback)

# Over-size posts are refused by Django before any view runs; this page explains the limit.
handler400 = crm_views.bad_request

urlpatterns = [
    path("", include("reports.urls")),
    path("accounts/", include("accounts.urls")),
    path("customers/", include("customers.urls")),
    path("service/", include("service.urls")),
    path("marketing/", include("marketing.urls")),
    path("sales/", include("sales.urls")),
    path("help/manual/", crm_views.manual_page, name="manual"),
    path("help/manual/img/<str:name>", crm_views.manual_image, name="manual-image"),
    path("help/manual/<slug:page>/", crm_views.manual_page, name="manual-page"),
    path("favicon.ico", crm_views.favicon, name="favicon"),
    path("jobs/<int:pk>/", crm_views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/download/", crm_views.job_download, name="job-download"),
    path("security/", include("security.urls")),
    path("api/", include("crm.api.urls")),
    path("settings/", include("crm.api.settings_urls")),
    path("", include("security.health_urls")),
    path("admin/", admin.site.urls),
    path("captcha/", include("captcha.urls")),
]
