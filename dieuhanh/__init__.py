"""dieuhanh: the Government's information, reporting and operations platform."""

from .celery import app as celery_app

__all__ = ["celery_app"]
