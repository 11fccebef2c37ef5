"""Import pages: upload → preview → confirm (or roll back). Data managers and administrators only."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ..models import ImportBatch, Measure, PupilGroup
from ..roles import IMPORT_ROLES, has_role
from . import mapping
from .forms import UploadForm
from .problems import AlreadyDone, ImportRejected, Problem, problems_csv
from .rollback import rollback_batch, rollback_blockers
from .staging import confirm_batch, discard_preview, stage_upload

TEMPLATES = {"long": "long_template.csv", "benchmarks": "benchmarks_template.csv"}
PROBLEMS_SHOWN = 500


def import_role_required(view):
    """Anonymous → sign in; signed in without an import role → 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not has_role(request.user, *IMPORT_ROLES):
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
    batches = ImportBatch.objects.select_related("uploaded_by").exclude(format=ImportBatch.Format.DEMO)[:25]
    return render(
        request,
        "schools/imports/index.html",
        {
            "form": form,
            "batches": batches,
            "measures": Measure.objects.select_related("key_stage").order_by("key_stage__order", "order"),
            "groups": PupilGroup.objects.order_by("order"),
        },
    )


@import_role_required
def batch_detail(request, pk):
    batch = get_object_or_404(ImportBatch.objects.select_related("uploaded_by", "rolled_back_by"), pk=pk)
    problems = [Problem.from_dict(p) for p in batch.problems]
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    return render(
        request,
        "schools/imports/detail.html",
        {
            "batch": batch,
            "summary": batch.summary or {},
            "errors": errors[:PROBLEMS_SHOWN],
            "error_total": len(errors),
            "warnings": warnings[:PROBLEMS_SHOWN],
            "warning_total": len(warnings),
            "shown_limit": PROBLEMS_SHOWN,
            "blockers": rollback_blockers(batch) if batch.status == ImportBatch.Status.COMMITTED else [],
        },
    )


@import_role_required
@require_POST
def confirm(request, pk):
    batch = get_object_or_404(ImportBatch, pk=pk)
    try:
        batch = confirm_batch(batch=batch, user=request.user, fingerprint=request.POST.get("fingerprint") or None)
    except AlreadyDone as exc:
        messages.info(request, str(exc))
    except ImportRejected as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Imported: {batch.created_count} created, {batch.updated_count} updated, "
            f"{batch.unchanged_count} unchanged.",
        )
    return redirect("schools:import_batch", pk=pk)


@import_role_required
@require_POST
def cancel(request, pk):
    batch = get_object_or_404(ImportBatch, pk=pk)
    if batch.status == ImportBatch.Status.PREVIEWED:
        discard_preview(batch=batch)
        ImportBatch.objects.filter(pk=pk).update(status=ImportBatch.Status.FAILED, notes="Cancelled after preview.")
        messages.info(request, "Import cancelled: nothing was written.")
    return redirect("schools:imports")


@import_role_required
@require_POST
def rollback(request, pk):
    batch = get_object_or_404(ImportBatch, pk=pk)
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
    batch = get_object_or_404(ImportBatch, pk=pk)
    response = HttpResponse(
        problems_csv(Problem.from_dict(p) for p in batch.problems), content_type="text/csv; charset=utf-8"
    )
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
