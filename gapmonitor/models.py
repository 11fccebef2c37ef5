"""Project-level audit: user accounts are history-tracked like every audited model."""

from django.contrib.auth.models import User
from simple_history import register

# Who changed a user, and what: roles (groups), names, active flag. Password hashes are never copied.
register(User, app="gapmonitor", excluded_fields=["password", "last_login"], m2m_fields=["groups"])


from django.conf import settings  # noqa: E402
from django.db import models  # noqa: E402
from simple_history.models import HistoricalRecords  # noqa: E402


class SensitiveExport(models.Model):
    """An export that carried figures for groups below the suppression threshold (an LA officer's or data
    manager's view): who took it, from which page, and how many such figures. Shown in the audit log."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    path = models.CharField(max_length=500)
    file_name = models.CharField(max_length=255)
    small_cohort_figures = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name}: {self.small_cohort_figures} figures for groups under the suppression threshold"
