"""The site's service worker and its offline page (issue 18: an installable app that reads offline).

- ``/sw.js`` (:func:`service_worker`): ``site/static/sw.js`` preceded by one line of settings
  written here: the shell to precache (the member shell's stylesheets, scripts and icons, by the
  addresses the static storage gives them: hashed names under ``ManifestStaticFilesStorage``, so
  each deploy that changes a file changes them) and a version computed from those addresses, the
  worker's own source and, where names are not hashed (dev), the files' bytes. A deploy that
  changes any of them changes the worker's bytes, so browsers install the new worker, which
  precaches the new shell under a new cache name and deletes the old one. At the site's root,
  so its scope is the whole site; never cached by HTTP (``no-cache``).
- ``/ngoai-tuyen/`` (:func:`offline_page`): the Vietnamese page shown when the network is gone
  and the page asked for is not kept on the phone; it lists what is (``js/offline.js`` reads
  the worker's index). It holds no personal data (the worker precaches it once for everyone).

The worker's other addresses (the offline manifest and re-check, under /api/v1/offline/) belong
to the plugin that serves them; without it the worker keeps the shell only.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_safe

#: The member shell, kept by the worker at install (static names, as in templates).
SHELL_ASSETS = (
    "css/shell.css",
    "css/library.css",
    "css/meetings.css",
    "css/materials.css",
    "css/qr.css",
    "css/notices.css",
    "css/search.css",
    "css/feedback.css",
    "js/offline.js",
    "js/offline-forms.js",
    "js/offline-page.js",
    "js/qr.js",
    "js/read-aloud.js",
    "js/search-suggest.js",
    "icons/icon.svg",
    "icons/icon-192.png",
    "icons/icon-512.png",
    "icons/icon-maskable-192.png",
    "icons/icon-maskable-512.png",
    "manifest.webmanifest",
)
SOURCE = "sw.js"


def _read(name):
    found = finders.find(name)
    if not found:
        return None
    with open(found, "rb") as handle:
        return handle.read()


def _hashed_names():
    """True when the static storage gives content-hashed names (production)."""
    return hasattr(staticfiles_storage, "hashed_files") or hasattr(
        staticfiles_storage, "manifest_name"
    )


def worker_settings():
    """``(settings dict, source bytes)`` of the worker; None when its source is missing."""
    source = _read(SOURCE)
    if source is None:
        return None
    digest = hashlib.sha256(source)
    hashed = _hashed_names()
    precache = []
    for name in SHELL_ASSETS:
        try:
            address = staticfiles_storage.url(name)
        except ValueError:  # not collected (a manifest without it): left to the network
            continue
        if not hashed:
            body = _read(name)
            if body is None:
                continue
            digest.update(body)
        digest.update(address.encode())
        precache.append(address)
    offline = reverse("offline_page")
    precache.append(offline)
    digest.update(offline.encode())
    conf = {
        "version": digest.hexdigest()[:16],
        "precache": precache,
        "offline": offline,
        "static": settings.STATIC_URL,
        "manifest": "/api/v1/offline/manifest/",
        "recheck": "/api/v1/offline/recheck/",
    }
    return conf, source


@lru_cache(maxsize=1)
def _kept_script():
    return _script()


def _script():
    found = worker_settings()
    if found is None:
        return None
    conf, source = found
    head = f"self.SOTAY = {json.dumps(conf, separators=(',', ':'))};\n"
    return head.encode() + source


def script():
    """The worker's bytes: computed once per process with hashed names (a deploy restarts the
    processes), on every request in development (a changed stylesheet changes the worker)."""
    return _kept_script() if _hashed_names() else _script()


@require_safe  # HEAD too: js/offline.js asks it whether the server answers at all
def service_worker(request):
    body = script()
    if body is None:
        raise Http404
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline_page(request):
    """No personal data, no form: the same page for everyone, kept by the worker."""
    response = render(request, "offline_page.html")
    response["Cache-Control"] = "no-cache"
    return response
