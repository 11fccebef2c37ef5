"""Project-level audit: user accounts are history-tracked like every audited model."""
from django.contrib.auth.models import User
from simple_history import register

# Who changed a user, and what: roles (groups), names, active flag. Password hashes are never copied.
register(User, app="gapmonitor", excluded_fields=["password", "last_login"], m2m_fields=["groups"])
