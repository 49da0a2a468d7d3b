"""/api/v1/ (each app's resources), the OpenAPI schema and the docs page.

API views answer 401 themselves (DRF exempts them from the sign-in redirect: a token stands in for the
session); the docs page is a page of the application, for signed-in users.
"""

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

app_name = "api"


class SchemaView(SpectacularAPIView):
    permission_classes = [IsAuthenticated]


resources = [
    path("", include("accounts.api.urls")),
    path("", include("customers.api.urls")),
    path("", include("sales.api.urls")),
    path("", include("service.api.urls")),
    path("", include("marketing.api.urls")),
]

urlpatterns = [
    path("v1/", include(resources)),
    path("schema/", SchemaView.as_view(), name="schema"),
    # Swagger UI from static files, its start-up script from a URL of its own: no inline script under the CSP.
    # Its template carries a small <style> block: the one page whose styles may be inline.
    path(
        "docs/",
        login_required(
            csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="api:schema"))
        ),
        name="docs",
    ),
]
