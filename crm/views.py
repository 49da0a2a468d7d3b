from django.http import FileResponse, Http404
from django.shortcuts import render

from . import jobs


def job_detail(request, pk):
    """A job's progress; htmx polls the partial until the job is done."""
    job = jobs.job_get(user=request.user, pk=pk)
    template = "crm/partials/job_progress.html" if request.htmx else "crm/job_detail.html"
    return render(request, template, {"job": job})


def job_download(request, pk):
    job = jobs.job_get(user=request.user, pk=pk)
    if not job.output_file:
        raise Http404
    return FileResponse(
        job.output_file.open("rb"), as_attachment=True, filename=job.output_file.name.rsplit("/", 1)[-1]
    )
