"""The demo report on a Wagtail 8 site of our own, for bench/pages.py to load beside ours.

Issue 10 asks our uncached report page to serve at least three times the requests per
second of a Wagtail page of the same shape. The site is in bench/wagtail_site/: a
`ReportPage` whose sections are a StreamField (a StructBlock per section, its text a
RichTextBlock, its figures ImageChooserBlocks drawn with `{% picture %}` in WebP and JPEG),
a base template like ours, and no cache of pages or fragments.

- `export_report()` runs in our Django process and writes the report as JSON;
- `prepare_wagtail()` runs in the bench's own process: it installs the site's pinned
  requirements into .venv-wagtail/ (once, while the requirements file is unchanged), makes
  a fresh database `<name>_wagtail`, migrates it and imports the JSON, images included.
"""

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SITE_ROOT = Path(__file__).resolve().parent / "wagtail_site"
REQUIREMENTS = SITE_ROOT / "requirements.txt"
VENV = PROJECT_ROOT / ".venv-wagtail"
VENV_PYTHON = VENV / "bin" / "python"

CREATE_VENV_SECONDS = 180
INSTALL_SECONDS = 900  # downloads Wagtail and its dependencies on the first run
MIGRATE_SECONDS = 600
IMPORT_SECONDS = 600  # makes every image's renditions


class WagtailUnavailable(Exception):
    """Wagtail could not be installed (most often: no network to PyPI)."""


class WagtailFailed(Exception):
    """Wagtail is installed, but preparing its site failed."""


@dataclass
class WagtailSite:
    """What it takes to serve the imported report page with gunicorn."""

    python: Path
    cwd: Path
    env: dict[str, str]
    page_path: str
    queries: int  # per request, counted in process after the renditions were made
    page_kb: float
    wsgi_app: str = "wagtailbench.wsgi:application"


# --- Inside our Django process -------------------------------------------------------------------


def export_report(report, path: Path) -> None:
    """Write `report`, fetched with `Report.objects.published().for_page()`, as the JSON that
    the Wagtail site's `import_report` command reads.

    Texts go as the HTML our page shows. A section's body may hold our own <figure> markup
    for photos placed in its text: it is kept as it is, inside the rich text, so that both
    pages carry the same bytes (the demo places none; its figures all sit under the text).
    """
    from django.conf import settings
    from django.utils import translation
    from django.utils.translation import gettext

    photos: dict[str, dict] = {}

    def photo_key(photo) -> str:
        photos[str(photo.pk)] = {
            "file": photo.image.path,  # the bench keeps media on the local disk
            "alt": photo.alt_text,
            "caption": photo.caption,
            "credit_text": photo.credit_text,
            "credit_url": photo.credit_url,
        }
        return str(photo.pk)

    def section_data(section) -> dict:
        session = section.session
        return {
            "anchor": section.anchor,
            "title": section.title,
            "speakers": [
                {"name": speaker.name, "affiliation": speaker.affiliation}
                for speaker in (session.ordered_speakers if session else [])
            ],
            "track": session.track if session and session.track else "",
            "author_name": section.author_name,
            "author_team": section.author_team,
            "body_html": section.body_html,
            "figures": [photo_key(photo) for photo in section.figures],
        }

    # The labels our page translates are data on the Wagtail side: in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        event = report.event
        content = {
            "site_name": settings.SITE_NAME,
            "title": report.title,
            "slug": report.slug,
            "summary": report.summary,
            "published_at": report.published_at.isoformat(),
            "reading_minutes": report.reading_minutes,
            "tags": [tag.name for tag in report.tags.all()],
            "lead_html": report.lead_html,
            "closing_html": report.closing_html,
            "event": None
            if event is None
            else {
                "name": event.name,
                "starts_on": event.starts_on.isoformat(),
                "ends_on": event.ends_on.isoformat(),
                "city": event.city,
                "venue": event.venue,
                "format": str(event.get_format_display()),
                "website": event.website,
            },
            "parts": [
                {
                    "session_title": (
                        gettext("Session reports by our members") if part["is_session_part"] else ""
                    ),
                    "sections": [section_data(section) for section in part["sections"]],
                }
                for part in report.outline
            ],
            "gallery": [photo_key(photo) for photo in report.gallery],
            "share_image": photo_key(report.share_image) if report.share_image else None,
            "photos": photos,
        }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")


def export_published_report(path: Path) -> None:
    """`export_report()` for the only published report of the demo's database."""
    from blog.models import Report

    export_report(Report.objects.published().for_page().get(), path)


# --- In the bench's own process ------------------------------------------------------------------


def prepare_wagtail(scratch: Path, content: Path, server_url: str, base_name: str) -> WagtailSite:
    """The Wagtail site installed, its database made afresh and the report in it.

    Raises WagtailUnavailable when Wagtail cannot be installed, WagtailFailed when a step
    after that fails or outlasts its time.
    """
    # pages.py imports this module; importing it back here, when it is needed, keeps one
    # way of making a database without a circular import at load time.
    from pages import fresh_database

    python = installed_python()
    env = {
        **_inherited_environment(),
        "DJANGO_SETTINGS_MODULE": "wagtailbench.settings",
        "DATABASE_URL": fresh_database(server_url, f"{base_name}_wagtail"),
        "MEDIA_ROOT": str(scratch / "wagtail" / "media"),
        "STATIC_ROOT": str(scratch / "wagtail" / "static"),
        "SECRET_KEY": "bench-only-wagtail-secret-key-never-used-elsewhere-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    _run(
        [python, "manage.py", "migrate", "--no-input"],
        "migrating the Wagtail database",
        MIGRATE_SECONDS,
        env,
    )
    imported = _run(
        [python, "manage.py", "import_report", content],
        "importing the report into Wagtail",
        IMPORT_SECONDS,
        env,
    )
    result = json.loads(imported.strip().splitlines()[-1])
    return WagtailSite(
        python=python,
        cwd=SITE_ROOT,
        env=env,
        page_path=result["path"],
        queries=result["queries"],
        page_kb=result["bytes"] / 1000,
    )


def installed_python() -> Path:
    """.venv-wagtail's Python, after installing the pinned requirements when they changed
    (or the Python running the bench did)."""
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes() + sys.version.encode()).hexdigest()
    stamp = VENV / ".installed"
    if VENV_PYTHON.exists() and stamp.exists() and stamp.read_text() == wanted:
        return VENV_PYTHON
    print(
        "wagtail: installing Wagtail into .venv-wagtail/ (on the first run, and after its "
        "requirements change) ...",
        flush=True,
    )
    try:
        # --clear: nothing left over from other requirements or a broken install.
        _run(
            [sys.executable, "-m", "venv", "--clear", VENV],
            "creating .venv-wagtail/",
            CREATE_VENV_SECONDS,
        )
        _run(
            [VENV_PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "-r", REQUIREMENTS],
            "installing Wagtail into .venv-wagtail/",
            INSTALL_SECONDS,
        )  # fmt: skip
    except WagtailFailed as error:
        raise WagtailUnavailable(str(error)) from error
    stamp.write_text(wanted)
    return VENV_PYTHON


def _inherited_environment() -> dict[str, str]:
    """This process's environment less what would point the site at our project's settings,
    database or virtualenv."""
    dropped = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PYTHONPATH", "VIRTUAL_ENV"}
    return {name: value for name, value in os.environ.items() if name not in dropped}


def _run(command: list, what: str, seconds: int, env: dict[str, str] | None = None) -> str:
    """Run `command` in the site's folder within `seconds`: its output, or WagtailFailed
    saying `what` failed, with the end of what the command said."""
    try:
        result = subprocess.run(
            [str(part) for part in command],
            cwd=SITE_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=seconds,
        )
    except subprocess.TimeoutExpired as error:
        raise WagtailFailed(f"{what} took more than {seconds} s") from error
    if result.returncode != 0:
        said = (result.stderr or result.stdout).strip().splitlines()[-15:]
        raise WagtailFailed(f"{what} failed:\n" + "\n".join(said))
    return result.stdout
