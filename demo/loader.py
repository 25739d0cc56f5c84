"""Put the demo report into the database; running it again changes nothing.

Every row is found by its natural key (event slug, username, report slug,
section position within the report, photo place within the report; sessions
and speakers come from the event's schedule file through the schedule import,
which matches them itself), so a second run creates no duplicates; a row that
exists is kept as it is, or, with `refresh`, updated in place.
Photos keep their image files: a picture is drawn only for a photo row that
does not exist yet, or whose original file has gone.
"""

import datetime
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from blog import editing, membership, workflow
from blog.enums import PUBLICATION_ACTIONS
from blog.models import AuthorProfile, Photo, Report, ReportStatus, Section, SectionStatus, Tag
from demo import content, pictures
from sessions.importing import import_schedule
from sessions.models import Event, EventFormat, Session


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str  # "writer", "editor" or "admin"


# Whether rows that already exist are brought back to the demo's text. Off by default:
# `python3 dev.py serve` loads the demo at every start, and what someone wrote or
# changed on the demo site (a section, a password) must survive a restart.
_refreshing: ContextVar[bool] = ContextVar("refreshing", default=False)


def load_demo(*, refresh: bool = False) -> list[DemoAccount]:
    """Load the demo report and return the accounts that can sign in.

    Missing rows are created; existing ones are left as they are, unless `refresh`
    brings their text, passwords and flags back to the demo's.
    """
    token = _refreshing.set(refresh)
    try:
        return _load_everything()
    finally:
        _refreshing.reset(token)


def _load_everything() -> list[DemoAccount]:
    with transaction.atomic():
        users = _load_accounts()
        event = _load_event()
        sessions = _load_sessions(event)
        report = _load_report(event, users)
        _load_writers(report, [data.author for data in content.SECTIONS], users)
        sections = _load_sections(report, sessions, users)
        _load_photos(report, sections, users)
        _review_and_publish(report, sections, users)
        _load_report_in_progress(event, users)
    return [DemoAccount(a.username, a.password, a.role) for a in content.ACCOUNTS]


def _sync[M: models.Model](
    model: type[M], lookup: dict, values: dict, save: Callable[[M], object]
) -> M:
    """The row `lookup` finds, created or brought up to date with `values`.

    Not `update_or_create()`: that saves an existing row with `update_fields`
    limited to `values`, so fields that `save()` derives (`body_html`,
    `lead_html`, ...) would go stale. `save` writes the row, through
    blog/editing.py as any change on the site would (a revision, derived rows,
    the approval kept or withdrawn); it runs only when something changed, so a
    second run leaves `Section.version` and `updated_at` alone.
    """
    # The trash included: a demo row someone moved there stays there, as they left it.
    instance = model._base_manager.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        save(instance)
        return instance
    if not _refreshing.get() or getattr(instance, "in_trash", False):
        return instance
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    if changed:
        save(instance)
    return instance


def _saved_by_editor(users: dict) -> Callable[[models.Model], object]:
    """Write a demo row as the demo's editor would on the site: through blog/editing.py."""
    editor = users[content.REPORT["editor"]]
    savers = {Report: editing.save_report, Section: editing.save_section, Photo: editing.save_photo}
    return lambda instance: savers[type(instance)](instance, by=editor)


def _keep_or_refresh[M: models.Model](model: type[M], lookup: dict, values: dict) -> M:
    """For rows without derived fields: create, or update only when refreshing."""
    if _refreshing.get():
        return model._default_manager.update_or_create(**lookup, defaults=values)[0]
    return model._default_manager.get_or_create(**lookup, defaults=values)[0]


def _load_accounts() -> dict:
    user_model = get_user_model()
    groups = {}
    for name in filter(None, content.ROLE_GROUPS.values()):
        try:
            groups[name] = Group.objects.get(name=name)
        except Group.DoesNotExist:
            raise LookupError(
                f"The group {name!r} is missing: run `manage.py migrate` first."
            ) from None

    users = {}
    for account in content.ACCOUNTS:
        user, created = user_model.objects.get_or_create(username=account.username)
        if created or _refreshing.get():
            user.is_active = True
            user.is_staff = True
            user.is_superuser = account.role == "admin"
            if created or not user.check_password(account.password):
                user.set_password(account.password)
            user.save()
            group = content.ROLE_GROUPS[account.role]
            user.groups.set([groups[group]] if group else [])
        if account.display_name:
            _keep_or_refresh(
                AuthorProfile,
                {"user": user},
                {"display_name": account.display_name, "team": account.team},
            )
        users[account.username] = user
    return users


def _load_event() -> Event:
    values = {key: value for key, value in content.EVENT.items() if key != "slug"}
    event = _keep_or_refresh(
        Event, {"slug": content.EVENT["slug"]}, {**values, "format": EventFormat.HYBRID}
    )
    if event.time_zone == Event._meta.get_field("time_zone").default:
        # A database loaded before events had a time zone holds the field's default:
        # the schedule is shown, and its floating times read, in Detroit's.
        event.time_zone = content.EVENT["time_zone"]
        event.save(update_fields=["time_zone"])
    return event


def _load_sessions(event: Event) -> dict[str, Session]:
    """The event's sessions, imported from the demo's schedule file as an editor would.

    Imported the first time (sessions loaded by hand before the import existed are
    matched by title and kept) and again with `refresh`; otherwise changes made on the
    demo site stay.
    """
    if _refreshing.get() or not event.sessions.exclude(schedule_uid="").exists():
        import_schedule(event, content.SCHEDULE_FILE.read_bytes())
    sessions = {s.title: s for s in event.sessions.filter(title__in=content.COVERED_SESSIONS)}
    missing = set(content.COVERED_SESSIONS) - set(sessions)
    if missing:
        raise LookupError(f"The demo schedule lacks the sessions {sorted(missing)}.")
    return sessions


def _load_report(event: Event, users: dict) -> Report:
    data = content.REPORT
    report = _sync(
        Report,
        {"slug": data["slug"]},
        {
            "title": data["title"],
            "event": event,
            "lead": data["lead"],
            "closing": data["closing"],
        },
        _saved_by_editor(users),
    )
    tags = [Tag.objects.get_or_create(name=name)[0] for name in content.TAGS]
    report.tags.set(tags)
    report.editors.set([users[data["editor"]]])
    return report


def _load_writers(report: Report, usernames: list[str], users: dict) -> None:
    """The report's writers: everyone who signs one of its sections."""
    editor = users[content.REPORT["editor"]]
    for username in dict.fromkeys(usernames):
        membership.add_writer(report, users[username], by=editor)


def _load_sections(report: Report, sessions: dict[str, Session], users: dict) -> list[Section]:
    teams = {account.username: account.team for account in content.ACCOUNTS}
    sections = []
    for position, data in enumerate(content.SECTIONS):
        section = _sync(
            Section,
            {"report": report, "position": position},
            {
                "session": sessions[data.session] if data.session else None,
                "heading": data.heading,
                "author": users[data.author],
                "author_team": teams[data.author],
                "body": data.body,
            },
            _saved_by_editor(users),
        )
        sections.append(section)
    return sections


def _load_photos(report: Report, sections: list[Section], users: dict) -> None:
    save = _saved_by_editor(users)
    for section, data in zip(sections, content.SECTIONS, strict=True):
        for position, photo in enumerate(data.photos):
            _load_photo(report, section, position, photo, save)
    for position, photo in enumerate(content.GALLERY):
        _load_photo(report, None, position, photo, save)


def _load_photo(
    report: Report,
    section: Section | None,
    position: int,
    data: content.PhotoData,
    save: Callable[[Photo], object],
) -> Photo:
    lookup = {
        "report": report,
        "section": section,
        "in_gallery": section is None,
        "position": position,
    }
    values = {
        "alt_text": data.alt_text,
        "caption": data.caption,
        "credit_text": data.credit_text,
        "credit_url": data.credit_url,
    }
    photo = Photo.objects.filter(**lookup).first()
    if photo is not None and photo.image and photo.image.storage.exists(photo.image.name):
        return _sync(Photo, {"pk": photo.pk}, values, save)
    photo = photo or Photo(**lookup)
    for name, value in values.items():
        setattr(photo, name, value)
    # Saving runs the upload pipeline: re-encoding and renditions.
    photo.image = ContentFile(pictures.jpeg(data.picture), name=f"{data.picture}.jpg")
    save(photo)
    return photo


# The review states come from the workflow itself, as they would on a real site:
# every section is submitted by its writer and approved by the editor, leaving the
# same history rows. Only sections that have never moved are driven, so a second
# run leaves alone whatever someone has since done on the demo site.


def _review_and_publish(report: Report, sections: list[Section], users: dict) -> None:
    editor = users[content.REPORT["editor"]]
    for section in sections:
        if not section.transitions.exists():
            _bring_to(section, SectionStatus.APPROVED, editor)
    published_before = report.transitions.filter(action__in=PUBLICATION_ACTIONS).exists()
    if report.status != ReportStatus.PUBLISHED and not published_before:
        workflow.publish(report, by=editor, at=content.REPORT["published_at"])


def _bring_to(section: Section, state: str, editor, comment: str = "") -> None:
    author = section.author
    if state == SectionStatus.DRAFT:
        return
    workflow.submit(section, by=author)
    if state == SectionStatus.IN_REVIEW:
        workflow.assign_reviewer(section, editor, by=editor)
    elif state == SectionStatus.APPROVED:
        workflow.approve(section, by=editor)
    elif state == SectionStatus.CHANGES_REQUESTED:
        workflow.request_changes(section, by=editor, comment=comment)


def _load_report_in_progress(event: Event, users: dict) -> Report:
    data = content.IN_PROGRESS_REPORT
    editor = users[content.REPORT["editor"]]
    report = _sync(
        Report,
        {"slug": data["slug"]},
        {
            # The event's report being written: claims on its coverage board go into it.
            "event": event,
            "title": data["title"],
            "lead": data["lead"],
            "closing": data["closing"],
            "due_on": _days_from_today(data["due_in_days"]),
        },
        _saved_by_editor(users),
    )
    _load_writers(report, [data.author for data in content.IN_PROGRESS_SECTIONS], users)
    teams = {account.username: account.team for account in content.ACCOUNTS}
    for position, section_data in enumerate(content.IN_PROGRESS_SECTIONS):
        section = _sync(
            Section,
            {"report": report, "position": position},
            {
                "heading": section_data.heading,
                "author": users[section_data.author],
                "author_team": teams[section_data.author],
                "body": section_data.body,
                "due_on": _days_from_today(section_data.due_in_days),
            },
            _saved_by_editor(users),
        )
        if not section.transitions.exists() and section.status == SectionStatus.DRAFT:
            _bring_to(section, section_data.state, editor, section_data.editor_comment)
    return report


def _days_from_today(days: int | None) -> datetime.date | None:
    """A due date relative to the day the demo is loaded, so it is late or due soon then."""
    return None if days is None else timezone.localdate() + datetime.timedelta(days=days)
