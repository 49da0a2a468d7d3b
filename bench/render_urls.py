"""The application's URLs plus one bare view for ``bench/render.py``. The bare view goes through the same
middleware (session, signed-in user, locale, CSP …) and the same gunicorn as the list pages, and renders nothing:
what a list page costs beyond it is the page's own work."""

from django.http import HttpResponse
from django.urls import path

from crm import urls as crm_urls


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


handler400 = crm_urls.handler400
urlpatterns = [path("bench-bare/", bare), *crm_urls.urlpatterns]
