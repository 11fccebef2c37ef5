"""WSGI entry point: ``gunicorn gapmonitor.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

from gapmonitor import heap

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gapmonitor.settings")
application = get_wsgi_application()
heap.settle()  # after the project is loaded: see gapmonitor.heap
