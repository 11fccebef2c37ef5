"""Project-level audit (user accounts are history-tracked like every audited model; sensitive exports are logged)
and the pieces every app's models share: the audited bases, a page of one's own, and optional links.

The abstract bases add no table of their own: a model that inherits one has the same columns as if it declared
them, so inheriting one changes no schema.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.urls import reverse
from simple_history import register
from simple_history.models import HistoricalRecords

# Who changed a user, and what: roles (groups), names, active flag. Password hashes are never copied.
register(User, app="gapmonitor", excluded_fields=["password", "last_login"], m2m_fields=["groups"])


def optional_link(to, *, related_name: str = "+", on_delete=models.SET_NULL, **options) -> models.ForeignKey:
    """A link a row may lack (null in the database, blank in forms). By default it is cleared when the row it
    points to is deleted and is not followed back (``related_name="+"``); say otherwise where it is."""
    return models.ForeignKey(to, null=True, blank=True, on_delete=on_delete, related_name=related_name, **options)


def optional_user(*, related_name: str = "+", **options) -> models.ForeignKey:
    """The person who did something to a row (uploaded, recorded, acknowledged, updated it…). Deleting their
    account clears the link and keeps the row."""
    return optional_link(settings.AUTH_USER_MODEL, related_name=related_name, **options)


class Audited(models.Model):
    """A model whose every change is kept (django-simple-history): who changed what, when, and the values before.
    A model whose many-to-many links are kept too names them in ``_history_m2m_fields``."""

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True


class Recorded(Audited):
    """An audited record someone writes, stamped with when it was created."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Revised(Audited):
    """An audited record that says who changed it last, and when."""

    updated_by = optional_user()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class HasPage(models.Model):
    """A row with a page of its own: the URL named ``page_url_name``, with the row's id."""

    page_url_name: str

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return reverse(self.page_url_name, args=[self.pk])


class SensitiveExport(Recorded):
    """An export that carried figures for groups below the suppression threshold (an LA officer's or data
    manager's view): who took it, from which page, and how many such figures. Shown in the audit log."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    path = models.CharField(max_length=500)
    file_name = models.CharField(max_length=255)
    small_cohort_figures = models.PositiveIntegerField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name}: {self.small_cohort_figures} figures for groups under the suppression threshold"
