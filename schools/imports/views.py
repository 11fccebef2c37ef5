"""Import pages: upload → preview → confirm (or cancel, or roll back). Data managers and administrators only
(``schools.access.can_import``); reads come from ``imports.batches``, every change from a service."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ..access import can_import, own_import_batches
from . import batches, mapping, progress
from .background import queue_import
from .forms import UploadForm
from .problems import AlreadyDone, ImportRejected
from .rollback import rollback_batch
from .staging import cancel_preview, stage_upload

TEMPLATES = {"long": "long_template.csv", "benchmarks": "benchmarks_template.csv"}
PROBLEMS_SHOWN = 500


def import_role_required(view):
    """Anonymous → sign in; signed in without an import role → 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_import(request.user):
            raise PermissionDenied("Only data managers and administrators can import data.")
        return view(request, *args, **kwargs)

    return wrapped


@import_role_required
def index(request):
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            batch = stage_upload(
                data=form.data_bytes,
                file_name=upload.name,
                format=form.cleaned_data["format"],
                results_year=form.cleaned_data["results_year"],
                user=request.user,
                status=form.cleaned_data["results_status"] or None,
                folder=form.cleaned_data["folder"],
            )
            return redirect("schools:import_batch", pk=batch.pk)
    else:
        form = UploadForm()
    context = {"form": form, "batches": batches.recent_batches(), **batches.upload_help()}
    return render(request, "schools/imports/index.html", context)


@import_role_required
def batch_detail(request, pk):
    report = batches.batch_report(batches.get_batch(pk), shown=PROBLEMS_SHOWN)
    return render(request, "schools/imports/detail.html", report)


@login_required
def batch_status(request, pk):
    """The progress feed the import page polls: the user's own batches only (anyone else's is 404)."""
    batch = get_object_or_404(own_import_batches(request.user), pk=pk)
    return JsonResponse({"id": batch.pk, "status": batch.get_status_display(), **progress.of(batch)})


@import_role_required
@require_POST
def confirm(request, pk):
    batch = batches.get_batch(pk)
    try:
        batch = queue_import(batch=batch, user=request.user, fingerprint=request.POST.get("fingerprint") or None)
    except AlreadyDone as exc:
        messages.info(request, str(exc))
    except ImportRejected as exc:
        messages.error(request, str(exc))
    else:
        level, message = batches.confirm_message(batch)
        messages.add_message(request, level, message)
    return redirect("schools:import_batch", pk=pk)


@import_role_required
@require_POST
def cancel(request, pk):
    if cancel_preview(batch=batches.get_batch(pk)):
        messages.info(request, "Import cancelled: nothing was written.")
    return redirect("schools:imports")


@import_role_required
@require_POST
def rollback(request, pk):
    batch = batches.get_batch(pk)
    try:
        rollback_batch(batch=batch, user=request.user)
    except AlreadyDone as exc:
        messages.info(request, str(exc))
    except ImportRejected as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Import rolled back: what it created is removed and what it changed is restored.")
    return redirect("schools:import_batch", pk=pk)


@import_role_required
def problems_download(request, pk):
    batch = batches.get_batch(pk)
    response = HttpResponse(batches.problems_file(batch), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-problems.csv"'
    return response


@import_role_required
def template_download(request, name):
    if name not in TEMPLATES:
        raise Http404("No such template.")
    path = mapping.template_path(TEMPLATES[name])
    return FileResponse(
        open(path, "rb"), as_attachment=True, filename=f"gapmonitor-{name}-template.csv", content_type="text/csv"
    )
