"""The Celery application: an embedded SQLite broker by default, Redis in production."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")

app = Celery("dieuhanh")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
