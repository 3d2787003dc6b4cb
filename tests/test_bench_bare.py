"""The benchmarks' bare view (bench/bare.py) is reachable as bench/README.md says, through the
benchmark settings' URLconf, and the product's own modules hold no benchmark code."""

import re
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ["config", "sotay_plugins", "editorial", "search"]


def test_the_site_does_not_route_the_bare_view():
    with pytest.raises(Resolver404):
        resolve("/bench/bare/")


def test_bench_settings_route_it_before_the_site(client, settings):
    settings.ROOT_URLCONF = "bench.urls"
    response = client.get("/bench/bare/")
    assert response.status_code == 200 and "Trang chủ" in response.content.decode()
    assert resolve("/ho-so/").url_name == "profile"  # the rest of the site is still there


def test_bench_settings_are_the_production_ones_plus_the_urlconf():
    text = (ROOT / "bench" / "settings.py").read_text()
    assert "from config.settings.production import *" in text
    assert 'ROOT_URLCONF = "bench.urls"' in text


def test_no_product_module_reaches_into_bench():
    offenders = []
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            if "/tests/" in str(path) or "/migrations/" in str(path):
                continue
            text = path.read_text(encoding="utf-8")
            if re.search(r"^\s*(from|import) bench\b|SOTAY_BENCH", text, re.M):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
