"""Imports: each batch (who, when, which file, what it did) and the changes it made, for rollback."""

from django.db import models

from gapmonitor.models import optional_link, optional_user


class ImportBatch(models.Model):
    """One import: who, when, which file, what it did. Every result points to the batch that last wrote it."""

    class Format(models.TextChoices):
        REGISTER = "register", "School register (GIAS)"
        LONG = "long", "Attainment, long template"
        DFE_KS2 = "dfe-ks2", "DfE KS2 performance tables"
        DFE_KS4 = "dfe-ks4", "DfE KS4 performance tables"
        BENCHMARKS = "benchmarks", "Benchmarks, long template"
        LAIT = "lait", "LA-level gap measures (LAIT)"
        NEIGHBOURS = "neighbours", "Statistical neighbours"
        CENSUS = "census", "School context: census (performance tables)"
        ABSENCE = "absence", "School context: absence (performance tables)"
        SCHOOL_INFORMATION = "school-information", "School context: school information (performance tables)"
        DEMO = "demo", "Generated demo data"

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        QUEUED = "queued", "Queued"  # confirmed, waiting for the background worker
        RUNNING = "running", "Importing"  # the worker is checking and writing it
        COMMITTED = "committed", "Imported"
        FAILED = "failed", "Failed"
        ROLLED_BACK = "rolled_back", "Rolled back"

    created_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = optional_user(related_name="import_batches")
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    format = models.CharField(max_length=20, choices=Format.choices)
    results_year = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEWED)
    rows_read = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True, help_text="Why a batch ended as it did (e.g. cancelled after preview).")
    # Added by the import pipeline: preview → confirm → (rollback).
    stored_file = models.CharField(
        max_length=255, blank=True, help_text="The upload kept under MEDIA_ROOT (a generated name) until confirmed."
    )
    problems = models.JSONField(default=list, blank=True, help_text="Errors and warnings: row, column, value, reason.")
    summary = models.JSONField(default=dict, blank=True, help_text="What the preview found: counts, new schools…")
    committed_at = models.DateTimeField(null=True, blank=True)
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    rolled_back_by = optional_user()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"{self.get_format_display()}: {self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_committed(self) -> bool:
        return self.status == self.Status.COMMITTED

    @property
    def in_progress(self) -> bool:
        """Confirmed and not finished: the background worker has it queued or is importing it."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class ImportChange(models.Model):
    """A row an import created or overwrote, with the values it replaced, so the batch can be rolled back.

    Results and benchmarks a batch *created* are found by their ``batch`` and need no row here; only the
    facts it *updated* (and the organisations it created or changed) are recorded.
    """

    class Kind(models.TextChoices):
        RESULT = "result", "Result"
        BENCHMARK = "benchmark", "Benchmark"
        SCHOOL = "school", "School"
        LA = "la", "Local authority"
        AREA = "area", "Area"
        CLUSTER = "cluster", "Cluster"
        NEIGHBOUR = "neighbour", "Statistical neighbour"
        INSPECTION = "inspection", "Ofsted inspection"
        CONTEXT = "context", "School context"

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=8, choices=Action.choices)
    previous = models.JSONField(null=True, blank=True, help_text="Field values before this batch wrote them.")
    previous_batch = optional_link(
        ImportBatch, related_name="superseding_changes", help_text="The batch that had last written the row."
    )

    class Meta:
        indexes = [models.Index(fields=["kind", "object_id"], name="importchange_kind_object")]

    def __str__(self):
        return f"{self.batch_id}: {self.action} {self.kind} {self.object_id}"
