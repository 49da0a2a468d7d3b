from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import defaults

from . import jobs, manual
from .storage import serve_field


def job_detail(request, pk):
    """A job's progress; htmx polls the partial until the job is done."""
    job = jobs.job_get(user=request.user, pk=pk)
    template = "crm/partials/job_progress.html" if request.htmx else "crm/job_detail.html"
    return render(request, template, {"job": job})


def job_download(request, pk):
    """A job's result file (an export, an import's error report), for the user who started the job only."""
    job = jobs.job_get(user=request.user, pk=pk)
    if not job.output_file:
        raise Http404
    return serve_field(job.output_file)


def manual_page(request, page="index"):
    """A page of the user manual (docs/), in the reader's language."""
    html = manual.page_html(
        page,
        image_url=lambda name: reverse("manual-image", args=[name]),
        page_url=lambda name: reverse("manual") if name == "index" else reverse("manual-page", args=[name]),
    )
    if html is None:
        raise Http404
    pages = [(key, label, reverse("manual") if key == "index" else reverse("manual-page", args=[key]))
             for key, label in manual.PAGES.items()]  # fmt: skip
    return render(request, "crm/manual.html", {"html": html, "pages": pages, "page": page})


def manual_image(request, name):
    path = manual.image_path(name)
    if path is None:
        raise Http404
    return FileResponse(path.open("rb"), content_type="image/png")


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico by themselves (for PDFs and downloads too); the pages link it."""
    return redirect(static("favicon.ico"))


def bad_request(request, exception=None):
    """The 400 handler: a submission over Django's size or count limits gets a page that says what the limit is
    and that the typed text is still in the form one step back; anything else the plain 400."""
    if isinstance(exception, RequestDataTooBig):
        reason = _("The text sent is larger than %(limit)s.") % {
            "limit": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        }
    elif isinstance(exception, TooManyFieldsSent):
        reason = _("The form sent more than %(count)s fields, for example too many rows selected at once.") % {
            "count": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }
    elif isinstance(exception, TooManyFilesSent):
        reason = _("More than %(count)s files were sent at once.") % {"count": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
    else:
        return defaults.bad_request(request, exception)
    return render(request, "crm/submission_too_large.html", {"reason": reason}, status=413)
