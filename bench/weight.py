"""Weight: bytes of HTML, CSS and JS a first visit to the projects list transfers.

Goal: under 100 KB uncompressed (gzip shown for reference)."""

from __future__ import annotations

import gzip
import re

from bench import _harness

ASSET = re.compile(rb'<(?:link[^>]+href|script[^>]+src)="([^"]+\.(?:css|js))"')


def run() -> dict[str, float]:
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.urls import reverse

    with _harness.local_api():
        html = _harness.operator_client().get(reverse("platformkit:projects")).content
        assets: dict[str, bytes] = {}
        for href in ASSET.findall(html):
            path = (
                href.decode()
                .split("?")[0]
                .removeprefix(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL)
            )
            found = finders.find(path)
            assert found, f"the page links {href.decode()}, which staticfiles cannot find"
            with open(found, "rb") as handle:
                assets[path] = handle.read()
    everything = [html, *assets.values()]
    total = sum(map(len, everything))
    figures: dict[str, float] = {"HTML (KB)": len(html) / 1024}
    figures.update({f"{path} (KB)": len(body) / 1024 for path, body in assets.items()})
    figures["total (KB, goal < 100)"] = total / 1024
    figures["total gzipped (KB)"] = sum(len(gzip.compress(body)) for body in everything) / 1024
    return figures


if __name__ == "__main__":
    _harness.setup_django()
    _harness.report("First-visit weight: projects list", run())
