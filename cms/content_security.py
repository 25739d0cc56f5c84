"""What the site's Content Security Policy (`SECURE_CSP`, built in cms/settings.py) lets
readers' browsers load.

Writers' texts are checked against it when they are saved: an image from an address the
policy blocks is a broken image on every page, so it is refused there, with what to do
instead, rather than found by a reader. The source expressions are matched as CSP Level 3
matches them, for the kinds a policy of this site holds: 'self', schemes (`data:`,
`https:`), hosts with an optional scheme, port and path (`https://cdn.example.com`,
`*.example.com`, `media.example.com:8443/photos/`) and `*`.
"""

import re
from urllib.parse import SplitResult, urljoin, urlsplit

from django.conf import settings
from django.utils.csp import CSP

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_SCHEME_SOURCE = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_HOST_SOURCE = re.compile(
    r"(?:(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://)?"
    r"(?P<host>\*|(?:\*\.)?[^/:*]+)"
    r"(?::(?P<port>[0-9]+|\*))?"
    r"(?P<path>/.*)?"
)


def image_may_load(address: str) -> bool:
    """Whether a page of this site may load an image from `address` (an address relative to
    the site is on the site), by the policy's img-src, or default-src when it has none."""
    policy = settings.SECURE_CSP
    sources = policy.get("img-src", policy.get("default-src", []))
    site = urlsplit(settings.SITE_URL)
    try:
        url = urlsplit(urljoin(settings.SITE_URL + "/", address.strip()))
        url.port  # noqa: B018  (raises ValueError for a port that is no number)
    except ValueError:
        return False
    return any(_source_matches(str(source).strip(), url, site) for source in sources)


def _source_matches(source: str, url: SplitResult, site: SplitResult) -> bool:
    if source == CSP.SELF:
        return (
            _scheme_matches(site.scheme, url.scheme)
            and url.hostname == site.hostname
            and _port(url) == _port(site)
        )
    if source == "*":
        # Any address on the network, never data: and the like (they must be named).
        return url.scheme in _DEFAULT_PORTS or url.scheme == site.scheme
    if scheme_source := _SCHEME_SOURCE.fullmatch(source):
        return _scheme_matches(scheme_source[1].lower(), url.scheme)
    if source.startswith("'"):  # 'none', nonces, hashes and keywords name no address
        return False
    host_source = _HOST_SOURCE.fullmatch(source)
    if host_source is None or not url.hostname:
        return False
    scheme = (host_source["scheme"] or site.scheme).lower()
    if not _scheme_matches(scheme, url.scheme):
        return False
    return (
        _host_matches(host_source["host"].lower(), url.hostname)
        and _port_matches(host_source["port"], url)
        and _path_matches(host_source["path"], url.path)
    )


def _scheme_matches(allowed: str, scheme: str) -> bool:
    # A source for plain HTTP also lets its secure upgrade through.
    return scheme == allowed or (allowed, scheme) in {("http", "https"), ("ws", "wss")}


def _host_matches(allowed: str, host: str) -> bool:
    if allowed == "*":
        return True
    if allowed.startswith("*."):
        return host.endswith(allowed[1:])
    return host == allowed


def _port(url: SplitResult) -> int | None:
    return url.port or _DEFAULT_PORTS.get(url.scheme)


def _port_matches(allowed: str | None, url: SplitResult) -> bool:
    if allowed == "*":
        return True
    if allowed is None:
        return url.port is None or url.port == _DEFAULT_PORTS.get(url.scheme)
    return _port(url) == int(allowed)


def _path_matches(allowed: str | None, path: str) -> bool:
    if not allowed:
        return True
    if allowed.endswith("/"):
        return path.startswith(allowed)
    return path == allowed
