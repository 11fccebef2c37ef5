"""People: what a user is scoped to."""

from django.conf import settings
from django.db import models

from .organisations import Area, Cluster, LocalAuthority, School


class Profile(models.Model):
    """What a user is scoped to. Roles are Django groups (see ``schools.roles``)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    la = models.ForeignKey(LocalAuthority, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A headteacher's school.",
    )
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cluster = models.ForeignKey(Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    schools = models.ManyToManyField(
        School, blank=True, related_name="advisers", help_text="An adviser's assigned schools."
    )
    job_title = models.CharField(max_length=120, blank=True)

    def __str__(self):
        return f"Profile of {self.user}"
