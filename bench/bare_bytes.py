"""The site's WSGI app, with one more address in front of it for the benchmark: BARE_PATH
answers the report page's bytes (as the yardstick holds them) from the smallest WSGI app
there is, without Django, its middleware or WhiteNoise.

It is what sending those bytes costs gunicorn itself, a floor no page cache inside Django
can go below. Comparing its two sizes shows what the larger page's bytes alone cost, apart
from any work of ours: bench/pages.py prints it beside the goal about the larger page.
"""

import os
from functools import cache
from pathlib import Path

BARE_PATH = "/bench/bare-bytes/"

_bodies: dict[str, bytes] = {}
_SUFFIXES = {"br": ".br", "gzip": ".gz", "": ""}


def _body(coding: str) -> bytes:
    # Read on the first request, not at import: the files are written before the server
    # starts, but the module may be imported by a process that never serves.
    if coding not in _bodies:
        name = "report.html" + _SUFFIXES[coding]
        _bodies[coding] = (Path(os.environ["STATIC_ROOT"]) / "bench" / name).read_bytes()
    return _bodies[coding]


@cache
def _site():
    # Imported when first asked for: bench/pages.py imports this module for BARE_PATH
    # without Django's settings.
    from cms.wsgi import application

    return application


def application(environ, start_response):
    if environ.get("PATH_INFO") != BARE_PATH:
        return _site()(environ, start_response)
    # As the page cache and WhiteNoise choose, for the headers wrk sends (no q-values).
    accepted = environ.get("HTTP_ACCEPT_ENCODING", "")
    coding = next((coding for coding in ("br", "gzip") if coding in accepted), "")
    body = _body(coding)
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Vary", "Accept-Encoding"),
    ]
    if coding:
        headers.append(("Content-Encoding", coding))
    start_response("200 OK", headers)
    return [body]
