"""Settings for the test suite: local key, fast hashing, plain static storage."""

import os

os.environ.setdefault("GAPMONITOR_LOCAL", "1")

from .settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# SQLite tests run in memory, one shared cache, where a lock conflict fails at once instead of waiting: deferred
# transactions there, as before. The threaded import tests copy the database to a file and use SQLITE_OPTIONS.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["OPTIONS"].pop("transaction_mode", None)  # noqa: F405
# A confirmed import runs at once, inside the request: the tests see its outcome. The database backend and its
# worker are tested on their own (tests/test_imports_background.py).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
