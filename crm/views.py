from django.http import Http404
from django.shortcuts import render

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
