"""The moderators' pages at /admin/: Jinja2 templates, Polish and English, no JavaScript."""

from .views import ROUTES

__all__ = ["ROUTES"]
