from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.templatetags.static import static

from . import jobs
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


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico by themselves (for PDFs and downloads too); the pages link it."""
    return redirect(static("favicon.ico"))
