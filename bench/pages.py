"""Load the readers' pages under gunicorn and print how fast they are, cached and not.

    python3 dev.py bench            # or: .venv/bin/python bench/pages.py [--seconds 3]

From a clean clone, with PostgreSQL and Redis running and `wrk` installed (Debian:
`apt-get install wrk`). For the demo, and again for a report ten times its size (70
sections, 150 photos) in a database of its own, it

1. creates the database afresh (BENCH_DATABASE_URL names the server and the first part of
   the databases' names; default postgres://postgres@127.0.0.1:5432/confreport_bench),
   migrates it and loads the demo with production settings (DEBUG off, collectstatic,
   WhiteNoise, media in a temporary folder);
2. measures in a fresh process what a page costs without the page cache: its SQL queries,
   and the median time to render the report page over --renders requests, with its
   fragments kept (as every reader but the first after a change meets it) and cold;
3. writes the report page's own bytes into the static files, and beside them the same
   bytes in brotli and gzip as the page cache keeps them, so that the same gunicorn serves them
   through WhiteNoise: the yardstick, what serving those bytes costs at best;
4. starts gunicorn with 2 sync workers on 127.0.0.1 for each size at once, on ports of
   their own, first with the page cache (Redis at BENCH_REDIS_URL, default
   redis://127.0.0.1:6379/0), then without (PAGE_CACHE=0);
5. loads the report page, the index, the feed, a speaker page, a search and the
   yardstick of both sizes with wrk (--connections, 2 threads), taking turns for --rounds
   rounds of --seconds each, on loopback only, after a few requests to every page first:
   the larger report is compared with the demo measured moments apart, not minutes. Every
   run is bounded in time, and the next waits until the server has answered what the
   last one left in its queue. wrk asks for the pages as a browser does
   (Accept-Encoding: gzip, deflate, br, zstd), so kept pages and the yardstick are sent
   in brotli. The 10x report's copies of the demo's texts have their Japanese made unlike
   each other's (`unlike`), or brotli's long memory would send ten copies for one. With
   the page cache on, it loads too the row `bare bytes`: the yardstick's bytes answered
   by the smallest WSGI app under the same gunicorn, in front of Django
   (bench/bare_bytes.py), what those bytes cost the server before any work of ours;
6. in the uncached turns, serves the same report from a Wagtail 8 site of our own
   (bench/wagtail_site/, a StreamField page with rich text and image renditions, no cache;
   bench/wagtail_page.py) under gunicorn with 2 sync workers on port 8118, in a database
   `<name>_wagtail`, and loads its page in the same turns: the row `wagtail`. The first
   run installs Wagtail into a virtualenv of its own, .venv-wagtail/ (pinned in
   bench/wagtail_site/requirements.txt); when that fails, its goal is not measured.

It prints a table (req/s, median and 99th percentile latency, queries, the ratio to the
yardstick's req/s) and the goals with pass or fail. Latencies are the median over the
rounds of each round's own percentile. Other work on the machine slows everything: the
load average is printed before and after.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bare_bytes import BARE_PATH
from wagtail_page import WagtailSite, WagtailUnavailable, prepare_wagtail

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BASE_PORT = 8114  # one port per server: 8114..8117
WAGTAIL_PORT = 8118

GOAL_CACHED_SHARE = 0.9  # of the yardstick's req/s
GOAL_CACHED_P99_MS = 10
GOAL_RENDER_MS = 5
GOAL_UNCACHED_P99_MS = 50
GOAL_LARGER_RENDER_FACTOR = 10
GOAL_CACHED_UNCHANGED_SHARE = 0.9  # of the demo's cached req/s
GOAL_WAGTAIL_FACTOR = 3  # the uncached report page's req/s over the Wagtail page's


@dataclass
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


# --- Steps run inside Django (a child process per database) --------------------------------------


def inside_django(action: str, size: str) -> None:
    """Run in a child process with the bench's environment: prepare or measure."""
    sys.path.insert(0, str(PROJECT_ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    if action == "prepare":
        call_command("migrate", verbosity=0)
        call_command("collectstatic", verbosity=0, interactive=False)
        call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        if size == "10x":
            make_larger_report()
        from blog import pagecache

        pagecache.content_changed()  # pages kept by an earlier run are not this database's
        if size == "demo":
            from wagtail_page import export_published_report

            export_published_report(Path(os.environ["BENCH_WAGTAIL_CONTENT"]))
    else:
        # In a process of its own, as a server's worker meets a page: not in the one that
        # has just migrated and loaded the database, with all it left in memory.
        print(json.dumps(measure(size, renders=int(os.environ["BENCH_RENDERS"]))))


def make_larger_report() -> None:
    """A published report ten times the demo's: 70 sections and 150 photos, the demo's own
    texts and pictures again (the photos share the demo's stored files), each copy's
    Japanese made unlike the others' (`unlike`)."""
    import datetime

    from blog.enums import ReportStatus, SectionStatus
    from blog.models import Photo, Report, Section

    demo = Report.objects.published().get()
    sections = list(demo.sections.order_by("position", "pk"))
    photos = list(demo.photos.order_by("position", "pk"))
    larger = Report.objects.create(
        title=f"{demo.title}（10倍）",
        slug="bench-10x",
        event=demo.event,
        lead=demo.lead,
        closing=demo.closing,
        status=ReportStatus.PUBLISHED,
        published_at=demo.published_at - datetime.timedelta(days=1),
    )
    larger.tags.set(demo.tags.all())
    copies = []
    for position in range(70):
        source = sections[position % len(sections)]
        copy = Section(
            report=larger,
            position=position,
            session=source.session,
            heading=unlike(source.heading, position),
            author=source.author,
            author_team=source.author_team,
            body=unlike(source.body, position),
            status=SectionStatus.APPROVED,
        )
        copy.save()
        copies.append(copy)
    Photo.objects.bulk_create(
        Photo(
            report=larger,
            section=None if source.in_gallery else copies[index % len(copies)],
            image=source.image.name,
            alt_text=unlike(source.alt_text, index),
            caption=unlike(source.caption, index),
            credit_text=source.credit_text,
            credit_url=source.credit_url,
            position=index,
            in_gallery=source.in_gallery,
            width=source.width,
            height=source.height,
            renditions=source.renditions,
        )
        for index, source in ((i, photos[i % len(photos)]) for i in range(150))
    )


KANA = "".join(chr(code) for code in range(ord("ぁ"), ord("ゖ") + 1))
KANJI_FIRST, KANJI_COUNT = 0x4E00, 0x9FFF - 0x4E00 + 1


def unlike(text: str, copy: int) -> str:
    """`text` with its kana and kanji swapped for others, differently for each copy.

    Ten copies of the same sentences are not ten times the text to a compressor with a
    long memory: brotli sent the 10x page in the demo's bytes. Real sections share only a
    language. Markdown, code, names in Latin letters and photo references (ASCII) stay,
    so the page keeps its shape."""
    if copy == 0:
        return text
    shuffled = list(KANA)
    random.Random(copy).shuffle(shuffled)
    kana = dict(zip(KANA, shuffled, strict=True))
    shift = copy * 7919  # a prime: the copies' kanji do not meet

    def swapped(char: str) -> str:
        code = ord(char)
        if KANJI_FIRST <= code < KANJI_FIRST + KANJI_COUNT:
            return chr(KANJI_FIRST + (code - KANJI_FIRST + shift) % KANJI_COUNT)
        return kana.get(char, char)

    return "".join(swapped(char) for char in text)


def measure(size: str, renders: int) -> dict:
    """The pages' addresses, their queries without the page cache, the report's render time."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from blog.models import Report

    settings.PAGE_CACHE_ENABLED = False
    reports = Report.objects.published()
    if size == "10x":
        report = reports.get(slug="bench-10x")
    else:
        report = reports.exclude(slug="bench-10x").get()
    section = report.sections.exclude(session=None).select_related("session").first()
    speaker = section.session.speakers.first()
    word = report.title.split()[0]
    pages = {
        "report": report.get_absolute_url(),
        "index": "/",
        "feed": "/feed/",
        "speaker": speaker.get_absolute_url(),
        "search": f"/search/?q={word}",
    }
    client = Client(HTTP_HOST="127.0.0.1")
    queries = {}
    for name, url in pages.items():
        client.get(url)  # fragments kept, as every reader but the first after a change finds
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        queries[name] = len(captured)
    report_bytes = client.get(pages["report"]).content
    yardstick = Path(settings.STATIC_ROOT) / "bench" / "report.html"
    yardstick.parent.mkdir(parents=True, exist_ok=True)
    yardstick.write_bytes(report_bytes)
    # WhiteNoise sends the .br or .gz beside a file to whoever takes it, as the page cache
    # does, and prefers brotli as it does.
    from blog.pagecache import compress_page

    report_encoded = dict(compress_page(report_bytes))
    yardstick.with_name("report.html.br").write_bytes(report_encoded["br"])
    yardstick.with_name("report.html.gz").write_bytes(report_encoded["gzip"])

    def median_render_ms() -> float:
        client.get(pages["report"])  # the kept fragments, when they are on
        timings = []
        for _ in range(renders):
            started = time.perf_counter()
            client.get(pages["report"])
            timings.append(time.perf_counter() - started)
        return statistics.median(timings) * 1000

    # As a reader meets it when the page cache cannot answer (PAGE_CACHE=0, the first
    # reader after a change): with the report's fragments kept, and without (cold).
    render_ms = median_render_ms()
    settings.FRAGMENT_CACHE_ENABLED = False
    with CaptureQueriesContext(connection) as captured:
        client.get(pages["report"])
    cold_queries = len(captured)
    cold_render_ms = median_render_ms()
    return {
        "pages": pages | {"yardstick": "/static/bench/report.html"},
        "queries": queries,
        "cold_queries": cold_queries,
        "render_ms": render_ms,
        "cold_render_ms": cold_render_ms,
        "report_kb": len(report_bytes) / 1000,
        "report_br_kb": len(report_encoded["br"]) / 1000,
        "report_gzipped_kb": len(report_encoded["gzip"]) / 1000,
    }


# --- Steps run outside: databases, servers, wrk -------------------------------------------------


def fresh_database(server_url: str, name: str) -> str:
    import psycopg

    parts = urlsplit(server_url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def start_gunicorn(env: dict, port: int, wagtail: WagtailSite | None = None) -> subprocess.Popen:
    """Our site, or `wagtail`'s, under gunicorn on `port`, once it answers."""
    python, app, cwd = (
        (wagtail.python, wagtail.wsgi_app, wagtail.cwd)
        if wagtail
        else (PYTHON, "bench.bare_bytes:application", PROJECT_ROOT)
    )
    server = subprocess.Popen(
        [python, "-m", "gunicorn", app, "--workers", "2",
         "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=cwd,
        env=env,
    )  # fmt: skip
    ready = wagtail.page_path if wagtail else "/robots.txt"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{ready}", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit(f"gunicorn did not answer on port {port} within a minute")


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


# What Chromium sends; Firefox and Safari send a subset of it.
BROWSER_ACCEPT_ENCODING = "gzip, deflate, br, zstd"


def wrk(url: str, seconds: int, connections: int) -> Load:
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Accept-Encoding: {BROWSER_ACCEPT_ENCODING}",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    )
    out = result.stdout

    def latency(percentile: str) -> float:
        value, unit = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Load(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=latency("50"),
        p99_ms=latency("99"),
        errors=int(errors.group(1)) if errors else 0,
    )


def warm_up(url: str, requests: int = 6) -> None:
    """A few requests before the load, so that each worker has read its templates and keeps
    what it keeps in memory (Wagtail: the site's root paths and the renditions' rows; ours:
    its copy of a kept page), as a site long in service does.
    """
    for _ in range(requests):
        urllib.request.urlopen(url, timeout=30).read()


def wait_until_served(url: str) -> None:
    """Let the server answer what wrk left in its queue before the next page's turn.

    wrk stops on time, but the requests it had sent still wait in the server's queue, up
    to one per connection; the next run would meet them as latency of its own page. The
    queue is first come, first served: one request more comes after them all, and a moment
    lets the other worker finish its last one."""
    urllib.request.urlopen(url, timeout=60).read()
    time.sleep(0.2)


def load_in_turns(urls: dict[tuple[str, str], str], args) -> dict[tuple[str, str], Load]:
    """Every page for --seconds, in turn, --rounds times: noise falls on all of them alike.

    `urls` are keyed by (run, page): the demo's pages and the larger report's, each on a
    server of its own, and Wagtail's, take the same turns, so that what they are compared
    with was measured in the same moments."""
    runs: dict[tuple[str, str], list[Load]] = {key: [] for key in urls}
    for url in urls.values():
        warm_up(url)  # every page alike: none pays for the server's first requests
    for _ in range(args.rounds):
        for key, url in urls.items():
            runs[key].append(wrk(url, args.seconds, args.connections))
            wait_until_served(url)
    return {
        key: Load(
            requests_per_second=statistics.mean(load.requests_per_second for load in loads),
            p50_ms=statistics.median(load.p50_ms for load in loads),
            p99_ms=statistics.median(load.p99_ms for load in loads),
            errors=sum(load.errors for load in loads),
        )
        for key, loads in runs.items()
    }


SIZES = ("demo", "10x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3, help="each wrk run (default 3)")
    parser.add_argument("--rounds", type=int, default=3, help="turns per page (default 3)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--renders", type=int, default=200, help="in-process renders")
    parser.add_argument("--inside", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        inside_django(*args.inside)
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (Debian and Ubuntu)")

    server_url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/confreport_bench"
    )
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    base_name = urlsplit(server_url).path.lstrip("/") or "confreport_bench"
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} before")
    print(
        f"wrk: 2 threads, {args.connections} connections, {args.rounds} rounds of "
        f"{args.seconds} s per page, taking turns; gunicorn: 2 sync workers\n",
        flush=True,
    )

    results = {}
    wagtail: WagtailSite | None = None
    wagtail_missing = ""
    with tempfile.TemporaryDirectory(prefix="confreport-bench-") as scratch:
        envs, measured = {}, {}
        for size in SIZES:
            envs[size] = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "cms.settings",
                "DEBUG": "0",
                "SECRET_KEY": "bench-only-secret-key-never-used-elsewhere-0123456789",
                "ALLOWED_HOSTS": "127.0.0.1",
                "DATABASE_URL": fresh_database(server_url, f"{base_name}_{size}"),
                "REDIS_URL": redis_url,
                "STATIC_ROOT": f"{scratch}/{size}/static",
                "MEDIA_ROOT": f"{scratch}/{size}/media",
                "SECURE_COOKIES": "0",
                "SERVE_MEDIA": "0",
                "LOG_LEVEL": "WARNING",
                "BENCH_RENDERS": str(args.renders),
                "BENCH_WAGTAIL_CONTENT": f"{scratch}/wagtail/content.json",
            }
            print(f"{size}: preparing the database and measuring in process ...", flush=True)
            measured[size] = prepare(envs[size], size)
        print("wagtail: preparing the same report on Wagtail ...", flush=True)
        try:
            wagtail = prepare_wagtail(
                Path(scratch), Path(envs["demo"]["BENCH_WAGTAIL_CONTENT"]), server_url, base_name
            )
            measured["demo"]["queries"]["wagtail"] = wagtail.queries  # for its row in the table
        except WagtailUnavailable as error:
            wagtail_missing = str(error).splitlines()[0]
            print(f"wagtail: not measured: {error}", flush=True)

        port = BASE_PORT
        for cached in (True, False):
            # Both sizes served at once, each by its own gunicorn, and loaded in the same
            # turns: the larger report is compared with the demo measured moments apart.
            servers, urls = [], {}
            try:
                for size in SIZES:
                    label = f"{size} {'cached' if cached else 'uncached'}"
                    print(f"{label}: serving under gunicorn on port {port} ...", flush=True)
                    servers.append(
                        start_gunicorn({**envs[size], "PAGE_CACHE": "1" if cached else "0"}, port)
                    )
                    for name, path in measured[size]["pages"].items():
                        urls[(size, name)] = f"http://127.0.0.1:{port}{path}"
                    if cached:
                        urls[(size, "bare bytes")] = f"http://127.0.0.1:{port}{BARE_PATH}"
                    port += 1
                if wagtail and not cached:
                    print(f"wagtail: serving under gunicorn on port {WAGTAIL_PORT} ...", flush=True)
                    servers.append(start_gunicorn(wagtail.env, WAGTAIL_PORT, wagtail))
                    page = f"http://127.0.0.1:{WAGTAIL_PORT}{wagtail.page_path}"
                    urls[("demo", "wagtail")] = page
                print(f"{'cached' if cached else 'uncached'}: loading ...", flush=True)
                loads = load_in_turns(urls, args)
            finally:
                for server in servers:
                    stop(server)
            for size in SIZES:
                results[(size, cached)] = (
                    measured[size],
                    {name: load for (run, name), load in loads.items() if run == size},
                )

    print_table(results, wagtail, wagtail_missing)
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


def prepare(env: dict, size: str) -> dict:
    """Child processes with `env`: one migrates and fills the database, the next measures."""
    for action in ("prepare", "measure"):
        done = subprocess.run(
            [PYTHON, __file__, "--inside", action, size],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            raise SystemExit(f"{action} for the {size} database failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_table(results: dict, wagtail: WagtailSite | None, wagtail_missing: str) -> None:
    print()
    header = f"{'run':<14}{'page':<11}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'queries':>9}"
    print(header + f"{'of yardstick':>14}{'errors':>8}")
    print("-" * (len(header) + 22))
    for (size, cached), (measured, loads) in results.items():
        label = f"{size} {'cached' if cached else 'uncached'}"
        yardstick = loads["yardstick"].requests_per_second
        for name, load in loads.items():
            queries = measured["queries"].get(name)  # none for the yardstick, the bare bytes
            queries = "" if queries is None else f"0 ({queries})" if cached else str(queries)
            share = f"{load.requests_per_second / yardstick:.0%}" if yardstick else "n/a"
            print(
                f"{label:<14}{name:<11}{load.requests_per_second:>9,.0f}{load.p50_ms:>9.2f}"
                f"{load.p99_ms:>9.2f}{queries:>9}{share:>14}{load.errors:>8}"
            )
    print("queries: per request without the page cache; 0 (n) when served from it")
    print(
        f"wrk sends Accept-Encoding: {BROWSER_ACCEPT_ENCODING}, as Chromium does: kept pages "
        "and the yardstick go in brotli; pages rendered without the page cache as they are"
    )
    for size in ("demo", "10x"):
        measured = results[(size, False)][0]
        print(
            f"{size}: report page {measured['report_kb']:.0f} kB "
            f"({measured['report_br_kb']:.0f} kB in brotli, {measured['report_gzipped_kb']:.0f} "
            "kB gzipped), rendered in process without "
            f"the page cache in {measured['render_ms']:.2f} ms (median); cold, without its "
            f"kept fragments either: {measured['cold_render_ms']:.2f} ms, "
            f"{measured['cold_queries']} queries"
        )
    if wagtail:
        print(f"wagtail: report page {wagtail.page_kb:.0f} kB, {wagtail.queries} queries")

    demo_cached = results[("demo", True)][1]
    demo_uncached = results[("demo", False)]
    large_cached = results[("10x", True)][1]
    large = results[("10x", False)][0]
    share = demo_cached["report"].requests_per_second / max(
        demo_cached["yardstick"].requests_per_second, 1
    )
    large_share = large_cached["report"].requests_per_second / max(
        large_cached["yardstick"].requests_per_second, 1
    )
    # What the bytes alone cost: the larger page's static file against the demo's.
    large_yardstick_share = large_cached["yardstick"].requests_per_second / max(
        demo_cached["yardstick"].requests_per_second, 1
    )
    # ... and to gunicorn itself, with nothing of Django's in the way (bench/bare_bytes.py).
    large_bare_share = large_cached["bare bytes"].requests_per_second / max(
        demo_cached["bare bytes"].requests_per_second, 1
    )
    goals = [
        (
            f"cached report page: >= {GOAL_CACHED_SHARE:.0%} of the yardstick's req/s "
            f"({share:.0%})",
            share >= GOAL_CACHED_SHARE,
        ),
        (
            # What the machine allows at that moment: the yardstick's own.
            f"cached report page: p99 < {GOAL_CACHED_P99_MS} ms "
            f"({demo_cached['report'].p99_ms:.1f} ms; the yardstick "
            f"{demo_cached['yardstick'].p99_ms:.1f} ms)",
            demo_cached["report"].p99_ms < GOAL_CACHED_P99_MS,
        ),
        (
            f"uncached report page: median render < {GOAL_RENDER_MS} ms in process "
            f"({demo_uncached[0]['render_ms']:.2f} ms)",
            demo_uncached[0]["render_ms"] < GOAL_RENDER_MS,
        ),
        (
            f"uncached report page: p99 < {GOAL_UNCACHED_P99_MS} ms at 16 connections "
            f"({demo_uncached[1]['report'].p99_ms:.1f} ms)",
            demo_uncached[1]["report"].p99_ms < GOAL_UNCACHED_P99_MS,
        ),
        (
            f"10x content: uncached render <= {GOAL_LARGER_RENDER_FACTOR}x the demo's "
            f"({large['render_ms'] / demo_uncached[0]['render_ms']:.1f}x; cold "
            f"{large['cold_render_ms'] / demo_uncached[0]['cold_render_ms']:.1f}x)",
            large["render_ms"] <= GOAL_LARGER_RENDER_FACTOR * demo_uncached[0]["render_ms"],
        ),
        (
            f"10x content: report page queries unchanged ({demo_uncached[0]['queries']['report']}"
            f" and {large['queries']['report']}; cold {demo_uncached[0]['cold_queries']} and "
            f"{large['cold_queries']})",
            large["queries"]["report"] == demo_uncached[0]["queries"]["report"]
            and large["cold_queries"] == demo_uncached[0]["cold_queries"],
        ),
        (
            f"10x content: cached report req/s >= {GOAL_CACHED_UNCHANGED_SHARE:.0%} of the "
            f"demo's ({large_cached['report'].requests_per_second:,.0f} and "
            f"{demo_cached['report'].requests_per_second:,.0f}; the same two pages' bytes as "
            f"static files {large_yardstick_share:.0%}, from a bare WSGI app "
            f"{large_bare_share:.0%})",
            large_cached["report"].requests_per_second
            >= GOAL_CACHED_UNCHANGED_SHARE * demo_cached["report"].requests_per_second,
        ),
        (
            # The page is some eight times the bytes: even the static file slows down. What
            # the cache itself adds is seen against the same bytes served by WhiteNoise.
            f"10x content: cached report >= {GOAL_CACHED_SHARE:.0%} of its own yardstick, the "
            f"same bytes as a static file ({large_share:.0%})",
            large_share >= GOAL_CACHED_SHARE,
        ),
    ]
    goals.append(wagtail_goal(demo_uncached[1], wagtail_missing))
    print("\ngoals:")
    for text, met in goals:
        print(f"  {'n/a ' if met is None else 'pass' if met else 'FAIL'}  {text}")


def wagtail_goal(loads: dict[str, Load], missing: str) -> tuple[str, bool | None]:
    """The uncached report page against the Wagtail page loaded in the same turns."""
    goal = f"uncached report page: >= {GOAL_WAGTAIL_FACTOR}x the Wagtail page's req/s"
    if "wagtail" not in loads:
        return f"{goal} (not measured: {missing})", None
    factor = loads["report"].requests_per_second / max(loads["wagtail"].requests_per_second, 1)
    return f"{goal} ({factor:.1f}x)", factor >= GOAL_WAGTAIL_FACTOR


if __name__ == "__main__":
    main()
