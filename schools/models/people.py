"""People: what a user is scoped to."""

from django.conf import settings
from django.db import models

from gapmonitor.models import optional_link

from .organisations import Area, Cluster, LocalAuthority, School


class Profile(models.Model):
    """What a user is scoped to. Roles are Django groups (see ``schools.roles``)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    la = optional_link(LocalAuthority)
    school = optional_link(School, help_text="A headteacher's school.")
    area = optional_link(Area)
    cluster = optional_link(Cluster)
    schools = models.ManyToManyField(
        School, blank=True, related_name="advisers", help_text="An adviser's assigned schools."
    )
    job_title = models.CharField(max_length=120, blank=True)

    def __str__(self):
        return f"Profile of {self.user}"
