from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse

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
