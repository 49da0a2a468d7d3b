from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.pagination import paginate
from crm.storage import serve

from .. import selectors
from ..models import Backup
from ..services import backups

PARTS = {"database": backups.DUMP_NAME, "media": backups.MEDIA_NAME, "manifest": backups.MANIFEST_NAME}


@permission_required("security.manage_backup", raise_exception=True)
def backup_list(request):
    page = paginate(selectors.backups_list(), request, per_page=30)
    return render(
        request,
        "security/backup_list.html",
        {"page": page, "backup_dir": backups.backup_location(), "last": backups.last_good_backup()},
    )


@require_POST
@permission_required("security.manage_backup", raise_exception=True)
def backup_trigger(request):
    backups.backup_start(actor=request.user)
    messages.success(request, _("A backup has been started; it appears below when it is done."))
    return HttpResponseRedirect(reverse("security:backup-list"))


@permission_required("security.manage_backup", raise_exception=True)
def backup_download(request, pk, part):
    backup = get_object_or_404(Backup, pk=pk, status=Backup.Status.DONE)
    if part not in PARTS:
        raise Http404
    storage, name = backups.backup_storage(), backups.stored_name(backup, PARTS[part])
    if not storage.exists(name):
        raise Http404
    backups.backup_download_log(actor=request.user, backup=backup, part=part)
    return serve(storage, name, filename=f"{backup.name}-{PARTS[part]}", content_type="application/octet-stream")
