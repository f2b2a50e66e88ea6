"""weixi_grid: dynamic monitoring and assistance to prevent return to poverty."""

from .celery import app as celery_app

__all__ = ("celery_app",)
