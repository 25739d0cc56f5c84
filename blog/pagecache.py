"""The reader's pages, kept whole in the cache and answered before the rest of Django runs.

How it stays correct: one number, the content generation, stands for "everything readers
can see as it is now". Any change to a row that a public page shows (blog/signals.py
lists them) moves the number on once the change is committed, and a kept page is served
only while the number it was made under is still current. One site-wide number rather
than a key per page: a speaker's new affiliation shows on the report, the session, the
speaker's and the search pages, and knowing every page one row appears on is exactly the
kind of list that goes stale. Changes are rare (editors, a few a day) and reads come in
bursts, so emptying everything on a change costs one render per page after it.

Nothing writes when a scheduled report's time comes, so a kept page also expires at the
next scheduled publication time (`Report.objects.next_publication_time()`).

Below whole pages, parts of them: a view that calls `read_fragments` (the report page) has
the expensive parts of its template (`{% kept_fragment %}`, blog/templatetags/reader.py)
kept under the same generation, so that when the page itself cannot come from the cache
(the first reader after a change, a page with tracking parameters, the page cache turned
off) those parts need neither their queries nor their templates. Each process keeps its own
copies of pages and fragments, checked against the generation and their time as the
cache's are, so that while nothing changes they need not cross the wire. Previews never
keep fragments: they show what is not yet for readers.

What is kept: the response of a view marked `public_page`, to a GET from someone without
a session cookie (readers never have one; staff do), answered 200 without setting a
cookie or varying on one, for an address whose query holds only PAGE_PARAMETERS (page
numbers and the search words). Tracking parameters (`utm_*`, `fbclid`...) are left out
when looking a page up, so a shared link still finds it, but a page rendered with them is
not kept. Everyone else (staff, previews, share links, the admin) goes the usual way,
and public pages they see are marked `no-store`.

The cache is Django's default cache: Redis when REDIS_URL is set, shared by every app
process and machine; otherwise this process's memory, which is right for one process
only (the development server, the tests).

A kept page is kept compressed too, once when it is kept, with brotli and with gzip; a
reader is sent the first of those their browser takes. Brotli makes our pages about a tenth
smaller than gzip does, but browsers offer it only over HTTPS; gzip every browser takes. A
phone downloads a quarter of the bytes or less, and a page ten times the size costs the
server about what the demo's does. A page rendered for one request only (the page cache
off, a link with tracking parameters) is sent as it is: its compression would be paid on
every such request, for one reader; a proxy in front may do it.
"""

import gzip
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property, lru_cache, wraps
from http import HTTPStatus

import brotli
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, get_conditional_response
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
NEXT_CHANGE_KEY = "pagecache:next-change"
PAGE_KEY_PREFIX = "pagecache:page:"
FRAGMENT_KEY_PREFIX = "pagecache:fragment:"

# The query parameters that choose what a public page shows: page numbers and the search.
PAGE_PARAMETERS = frozenset({"page", "sessions", "q"})
# Added by sites and mail programs to a shared link; they change nothing on the page.
TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMETERS = frozenset({"fbclid", "gclid", "msclkid", "mc_cid", "mc_eid", "ref"})

# Smaller pages gain too little from compression to be worth more copies.
COMPRESS_MIN_LENGTH = 1024
# Brotli's quality 5 makes the demo's page 11% smaller than gzip's best in about the same
# time (2 ms for a page of 470 kB); 11 gains 7% more for thirty times the time, paid by the
# first reader after every change.
BROTLI_QUALITY = 5

# Response headers that are about one response, not the page.
_NOT_KEPT = frozenset({"set-cookie", "date", "expires", "cache-control", "content-length", "vary"})


def public_page(view):
    """Mark a view's responses as public pages: the same for every reader, cacheable."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.public_page = True
        return response

    return wrapper


# --- The content generation -------------------------------------------------------------------


def content_changed(using: str | None = None) -> None:
    """Something readers may see changed: move the generation on once it is committed.

    After the commit, never before: a reader rendering between the change and the commit
    would otherwise keep the old page under the new number. A transaction that changes
    many rows moves it once per row; each move is one increment in the cache.
    """
    transaction.on_commit(_next_generation, using=using)


def current_generation(request: HttpRequest) -> int:
    """The content generation for this request, read once and remembered on it.

    Read before the rows a page is made from: a page or fragment made from rows older than
    a change is then kept under the number before the change, which nobody asks for again.
    """
    generation = getattr(request, "content_generation", None)
    if generation is None:
        # Redis: this process's copy, kept current by Redis's announcements (cms/cache.py).
        read = getattr(cache, "get_watched", cache.get)
        generation = read(GENERATION_KEY)
        if generation is None:
            generation = _start_generation()
        request.content_generation = generation
    return generation


def _next_generation() -> None:
    try:
        try:
            getattr(cache, "incr_announced", cache.incr)(GENERATION_KEY)
        except ValueError:  # never started, or evicted
            _start_generation()
    except Exception:
        # The pages kept under the old number stay until their time runs out.
        logger.exception("Could not move the page cache's generation on")


def _start_generation() -> int:
    # A number no page can have been kept under: microseconds since the epoch run ahead
    # of any count of changes, so a generation lost with its key is never reused.
    generation = time.time_ns() // 1000
    if hasattr(cache, "add_announced"):
        return cache.add_announced(GENERATION_KEY, generation)
    cache.add(GENERATION_KEY, generation, timeout=None)
    return cache.get(GENERATION_KEY) or generation


def _expires_at(generation: int, now: float) -> float:
    """Until when something made now under `generation` may be kept: PAGE_CACHE_SECONDS,
    and never past the next scheduled publication."""
    expires_at = now + settings.PAGE_CACHE_SECONDS
    next_change = _next_change(generation, now)
    return expires_at if next_change is None else min(expires_at, next_change)


def _next_change(generation: int, now: float) -> float | None:
    """When the public pages change by themselves next (a scheduled report's time).

    Asked of the database once per generation (and again once that time has come).
    """
    known = cache.get(NEXT_CHANGE_KEY)
    if known is not None and known[0] == generation and (known[1] is None or known[1] > now):
        return known[1]
    from blog.models import Report

    upcoming = Report.objects.next_publication_time()
    timestamp = upcoming.timestamp() if upcoming else None
    cache.set(NEXT_CHANGE_KEY, (generation, timestamp), timeout=None)
    return timestamp


# --- Kept pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeptPage:
    generation: int
    expires_at: float
    last_modified: float
    etag: str
    headers: tuple[tuple[str, str], ...]
    content: bytes
    # The page compressed, (coding, bytes) in the order we prefer them (compress_page).
    encoded: tuple[tuple[str, bytes], ...] = ()

    def is_current(self, generation: int, now: float) -> bool:
        return self.generation == generation and now < self.expires_at

    @cached_property
    def _headers(self) -> dict[str, str]:
        return {
            **dict(self.headers),
            **({"Vary": "Accept-Encoding"} if self.encoded else {}),
            "ETag": self.etag,
            "Last-Modified": http_date(self.last_modified),
            # Without it the server sends the page in chunks, copying it once more.
            "Content-Length": str(len(self.content)),
        }

    @cached_property
    def _encoded_headers(self) -> dict[str, dict[str, str]]:
        return {
            coding: self._headers
            | {
                "Content-Encoding": coding,
                # The same page, in other bytes: an ETag that matches either.
                "ETag": f"W/{self.etag}",
                "Content-Length": str(len(content)),
            }
            for coding, content in self.encoded
        }

    def response(self, request: HttpRequest, now: float) -> HttpResponse:
        taken = accepted_codings(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        coding, content = next(
            ((coding, content) for coding, content in self.encoded if coding in taken),
            (None, self.content),
        )
        headers = self._encoded_headers[coding] if coding else self._headers
        response = HttpResponse(content, headers=headers)
        _mark_public(response, self.expires_at - now)
        if _asks_conditionally(request):
            return _conditional(request, response)
        return response


_COMPRESSORS = (
    ("br", lambda content: brotli.compress(content, quality=BROTLI_QUALITY)),
    # No timestamp in the header: the same page always gives the same bytes.
    ("gzip", lambda content: gzip.compress(content, compresslevel=9, mtime=0)),
)
# The names a request may give each of our codings by (RFC 9110: x-gzip is gzip).
_CODING_NAMES = {"br": ("br",), "gzip": ("gzip", "x-gzip")}


def compress_page(content: bytes) -> tuple[tuple[str, bytes], ...]:
    """The page compressed, brotli first, as (coding, bytes); none for a page too small to
    gain, and no coding that would not make it smaller."""
    if len(content) < COMPRESS_MIN_LENGTH:
        return ()
    encoded = ((coding, compress(content)) for coding, compress in _COMPRESSORS)
    return tuple((coding, data) for coding, data in encoded if len(data) < len(content))


@lru_cache(maxsize=64)
def accepted_codings(accept_encoding: str) -> frozenset[str]:
    """Which of our codings a request's Accept-Encoding takes: named, or covered by `*`,
    without `q=0`.

    Remembered per header: browsers send a handful of them, each on every request."""
    qualities = {}
    for coding in accept_encoding.lower().split(","):
        name, *parameters = (part.strip() for part in coding.split(";"))
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        qualities[name] = quality
    taken = set()
    for coding, names in _CODING_NAMES.items():
        named = [qualities[name] for name in names if name in qualities]
        quality = named[0] if named else qualities.get("*", 0.0)
        if quality > 0:
            taken.add(coding)
    return frozenset(taken)


class LocalCopies:
    """This process's copies of what it kept in the cache, the most recently kept `size`.

    Each copy is checked by its reader against the generation and its time, as the copy in
    the cache would be: while the generation (one small read) says nothing changed, the
    page or fragment need not cross the wire again."""

    def __init__(self, size: int):
        self.size = size
        self.copies: OrderedDict[str, object] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str):
        return self.copies.get(key)

    def put(self, key: str, copy) -> None:
        with self.lock:
            self.copies[key] = copy
            self.copies.move_to_end(key)
            while len(self.copies) > self.size:
                self.copies.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.copies.clear()


# At most some tens of MB each: the demo's report page is 60 kB, its fragments as much.
LOCAL_PAGES = 300
LOCAL_FRAGMENTS = 600
_local_pages = LocalCopies(LOCAL_PAGES)
_local_fragments = LocalCopies(LOCAL_FRAGMENTS)


def page_key(request: HttpRequest) -> str | None:
    """Where a reader's request for a page is kept, or None when it cannot be kept."""
    if request.method not in ("GET", "HEAD"):
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    kept = []
    for name, values in request.GET.lists() if request.META.get("QUERY_STRING") else ():
        if name in PAGE_PARAMETERS:
            if len(values) > 1:
                return None
            kept.append(f"{name}={values[0]}")
        elif not _is_tracking(name):
            return None
    query = "&".join(sorted(kept))
    address = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    return PAGE_KEY_PREFIX + hashlib.blake2b(address.encode(), digest_size=16).hexdigest()


def _is_tracking(name: str) -> bool:
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def _has_tracking(request: HttpRequest) -> bool:
    return any(_is_tracking(name) for name in request.GET)


def _mark_public(response: HttpResponse, seconds_left: float) -> None:
    # Shared caches and browsers may keep the page no longer than we would ourselves: not
    # past the next scheduled publication.
    left = max(0, int(seconds_left))
    browsers = min(settings.PAGE_CACHE_MAX_AGE, left)
    shared = min(settings.PAGE_CACHE_SHARED_MAX_AGE, left)
    response["Cache-Control"] = f"public, max-age={browsers}, s-maxage={shared}"


def _conditional(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The page, or 304 Not Modified when the reader's copy (ETag, date) is still it."""
    return get_conditional_response(
        request,
        etag=response["ETag"],
        last_modified=parse_http_date_safe(response["Last-Modified"]),
        response=response,
    )


_CONDITIONS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)


def _asks_conditionally(request: HttpRequest) -> bool:
    return any(condition in request.META for condition in _CONDITIONS)


def _etag(content: bytes) -> str:
    return f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"'


class PageCacheMiddleware:
    """Answers readers' requests for kept pages at once; keeps public pages it sees made.

    Placed right after WhiteNoise: a kept page costs a look at the generation (with Redis,
    this process's watched copy: no round trip) and a dictionary lookup, with no session,
    user, CSRF or language work.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = page_key(request) if settings.PAGE_CACHE_ENABLED else None
        generation = None
        if key is not None:
            now = timezone.now().timestamp()
            try:
                generation, kept = self._lookup(request, key, now)
            except Exception:
                logger.exception("The page cache cannot be read; serving without it")
                key = kept = None
            if kept is not None:
                return kept.response(request, now)
        response = self.get_response(request)
        if not getattr(response, "public_page", False):
            return response
        if not self._is_for_everyone(request, response):
            # Whatever a signed-in person sees stays with them.
            add_never_cache_headers(response)
            return response
        return self._publish(request, response, key, generation)

    @staticmethod
    def _lookup(request: HttpRequest, key: str, now: float) -> tuple[int, KeptPage | None]:
        """The current generation, and the page kept under it, if any: this process's own
        copy when it has one, else the cache's."""
        generation = current_generation(request)
        kept = _local_pages.get(key)
        if kept is None or not kept.is_current(generation, now):
            kept = cache.get(key)
            if kept is None or not kept.is_current(generation, now):
                return generation, None
            _local_pages.put(key, kept)
        return generation, kept

    @staticmethod
    def _is_for_everyone(request: HttpRequest, response: HttpResponse) -> bool:
        return (
            response.status_code == HTTPStatus.OK
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not response.cookies
            and "cookie" not in response.get("Vary", "").lower()
            and not getattr(response, "streaming", False)
        )

    def _publish(self, request, response, key, generation) -> HttpResponse:
        # The language is in the address, so the page varies on nothing else.
        del response["Vary"]
        now = timezone.now().timestamp()
        response["ETag"] = _etag(response.content)
        # When this copy was made, whatever the view said (a feed gives its newest entry's
        # date): a corrected byline changes the page, not the dates in it.
        response["Last-Modified"] = http_date(now)
        expires_at = now + settings.PAGE_CACHE_SECONDS
        if key is not None and request.method == "GET" and not _has_tracking(request):
            try:
                expires_at = _expires_at(generation, now)
                kept = self._keep(key, generation, expires_at, response, now)
            except Exception:
                logger.exception("The page cache cannot be written; serving without it")
            else:
                # Answered as every reader after this one will be: compressed when they take it.
                return kept.response(request, now)
        _mark_public(response, expires_at - now)
        return _conditional(request, response)

    @staticmethod
    def _keep(key, generation, expires_at, response, now) -> KeptPage:
        headers = tuple(
            (name, value) for name, value in response.items() if name.lower() not in _NOT_KEPT
        )
        kept = KeptPage(
            generation=generation,
            expires_at=expires_at,
            last_modified=now,
            etag=response["ETag"],
            headers=tuple(h for h in headers if h[0] not in ("ETag", "Last-Modified")),
            content=response.content,
            encoded=compress_page(response.content),
        )
        timeout = max(1, int(expires_at - now) + 1)
        cache.set(key, kept, timeout=timeout)
        _local_pages.put(key, kept)
        return kept


# --- Kept fragments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class KeptFragment:
    expires_at: float
    content: str


class KeptFragments:
    """The fragments of one page as they are kept under the current generation: this
    process's copies, and what the cache holds of the others, read at once."""

    def __init__(self, request: HttpRequest, names: tuple[str, ...]):
        self.generation = current_generation(request)  # before the view reads any row
        self.keys = {name: _fragment_key(request, self.generation, name) for name in names}
        now = timezone.now().timestamp()
        self.found = {}
        for key in self.keys.values():
            kept = _local_fragments.get(key)
            if kept is not None and now < kept.expires_at:
                self.found[key] = kept.content
        missing = [key for key in self.keys.values() if key not in self.found]
        for key, kept in (cache.get_many(missing) if missing else {}).items():
            if isinstance(kept, KeptFragment) and now < kept.expires_at:
                self.found[key] = kept.content
                _local_fragments.put(key, kept)

    @property
    def complete(self) -> bool:
        """Every fragment is kept: what they show was found under this generation, and
        nothing has changed since."""
        return len(self.found) == len(self.keys)

    def get(self, name: str) -> str | None:
        return self.found.get(self.keys.get(name))

    def keep(self, name: str, content: str) -> None:
        if name not in self.keys:
            return  # a fragment the view was not told of: rendered each time
        now = timezone.now().timestamp()
        try:
            kept = KeptFragment(expires_at=_expires_at(self.generation, now), content=content)
            cache.set(self.keys[name], kept, timeout=max(1, int(kept.expires_at - now)))
        except Exception:
            logger.exception("The page cache cannot be written; the fragment is not kept")
        else:
            _local_fragments.put(self.keys[name], kept)


def read_fragments(request: HttpRequest, names: tuple[str, ...]) -> KeptFragments | None:
    """Look up this page's fragments `names` at once, for `{% kept_fragment %}` to use;
    None (render everything) when fragments are off or the cache cannot be read."""
    if not settings.FRAGMENT_CACHE_ENABLED:
        return None
    try:
        request.kept_fragments = KeptFragments(request, names)
    except Exception:
        logger.exception("The page cache cannot be read; rendering every fragment")
        return None
    return request.kept_fragments


def _fragment_key(request: HttpRequest, generation: int, name: str) -> str:
    # The page's address and language stand for the object shown; the generation for
    # everything in it.
    address = f"{request.scheme}://{request.get_host()}{request.path}|{get_language()}|{name}"
    digest = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    return f"{FRAGMENT_KEY_PREFIX}{generation}:{digest}"
