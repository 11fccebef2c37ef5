"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

from gapmonitor import heap

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gapmonitor.settings")
application = get_asgi_application()
heap.settle()  # after the project is loaded: see gapmonitor.heap
