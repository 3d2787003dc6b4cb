"""Sections: one page per organisation that publishes, created on demand under the home page."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from sotay_plugins.text import fold

from .models import HomePage, SectionPage


def home_page():
    return HomePage.objects.order_by("path").first()


def section_for(org, *, home=None):
    """The organisation's section page, created (live) the first time it is asked for."""
    existing = SectionPage.objects.filter(organisation=org).first()
    if existing is not None:
        return existing
    home = home or home_page()
    if home is None:
        raise LookupError("No HomePage: run the migrations first.")
    with transaction.atomic():
        existing = SectionPage.objects.select_for_update().filter(organisation=org).first()
        if existing is not None:
            return existing
        slug = slugify(fold(org.code or org.name))[:200] or f"don-vi-{org.pk}"
        section = SectionPage(title=org.name, slug=slug, organisation=org, live=True)
        home.add_child(instance=section)
    return section
