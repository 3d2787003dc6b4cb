"""How a module registers the roll of its own events (``registry.Roll``), in a few lines.

``add(registry, roll)`` puts the roll in the registry and mounts its API paths (the four of
:mod:`.api` under ``/api/v1/<roll.api_prefix>/<pk>/``); ``scan_urls(roll_key, route)`` gives the
member-facing scan page and its manual marking form for the module's own ``urls.py``.
"""

from django.urls import path


def add(registry, roll):
    """Register ``roll`` and its API paths (named ``<api_name>-checkin``, ``-checkin-offline``,
    ``-attendance``, ``-attendance-mark``)."""
    from .api import views_for

    registry.add_roll(roll)
    checkin, offline, attendance, mark = views_for(roll)
    prefix, name = roll.api_prefix, roll.api_name
    registry.add_api_path(f"{prefix}/<int:pk>/checkin/", checkin, f"{name}-checkin")
    registry.add_api_path(f"{prefix}/<int:pk>/checkin/offline/", offline, f"{name}-checkin-offline")
    registry.add_api_path(f"{prefix}/<int:pk>/attendance/", attendance, f"{name}-attendance")
    registry.add_api_path(f"{prefix}/<int:pk>/attendance/mark/", mark, f"{name}-attendance-mark")


def scan_urls(roll_key, route, name="checkin"):
    """URL patterns of the scan page at ``route`` (ending in "/", with ``<int:pk>``) and of its
    manual marking at ``route + "danh-dau/"``, named ``name`` and ``name + "_mark"`` in the
    including module's namespace (the roll's ``page_url`` and ``mark_url``)."""
    from . import views

    return [
        path(route, views.scan_page, {"roll_key": roll_key}, name=name),
        path(f"{route}danh-dau/", views.mark_member, {"roll_key": roll_key}, name=f"{name}_mark"),
    ]
