"""A portable archive of reports: one zip file of data (`archive.json`) and media files.

`export_reports()` writes reports as they stand (texts, order, states, review history,
comments, revisions, the audit trail, photos and their files); `import_reports()` adds
them to any instance, an empty one or the one they came from, under new ids.

Rows are matched across instances by what names them, never by id: users by username,
events and speakers by slug, sessions by event and title, tags by name; what the other
instance lacks is created (users without a usable password, to be reset by an admin). A
report's slug is kept when it is free and made unique when not. Texts that place photos
(`photo:12`) are renumbered to the photos' new ids; everything else is stored as it was.

An import is not an edit: it restores rows as they stood, so it writes them directly
(in one transaction) instead of through blog/editing.py and blog/workflow.py, which
would record new revisions and transitions. Approvals that held in the exported
instance are bound again to the same content under its new photo ids. Share links,
autosaves and the trash are not exported. A bad archive is refused before anything is
written; a failure half-way rolls the rows back and removes the files already written.
"""

import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils.translation import gettext as _
from reversion.models import Revision, Version

from blog import editing, images
from blog.models import (
    AuthorProfile,
    Photo,
    Report,
    ReportMember,
    ReportTransition,
    ReviewComment,
    Section,
    SectionTransition,
    Tag,
)
from cms.slugs import unique_slug
from sessions.models import Event, Session, SessionSpeaker, Speaker

FORMAT = "conference-report-archive"
VERSION = 1
DATA_NAME = "archive.json"
MEDIA_PREFIX = "media/"
PHOTO_REFERENCE = re.compile(r"\(photo:(\d+)")
# Relations and bookkeeping each model's dump leaves to the code below.
SKIPPED_FIELDS = {"id", "trashed_at", "trashed_by"}


class ArchiveError(Exception):
    """The file is not an archive this site can import; the message says why."""


# --- Rows as plain data --------------------------------------------------------------------------


def _plain_fields(obj: models.Model, skip: Iterable[str] = ()) -> dict:
    """The row's own values (no relations), as JSON can hold them without loss."""
    values = {}
    for model_field in obj._meta.concrete_fields:
        if model_field.is_relation or model_field.name in SKIPPED_FIELDS | set(skip):
            continue
        value = model_field.value_from_object(obj)
        if isinstance(model_field, (models.DateField, models.FileField)):
            # Full precision for times (isoformat), the name for files.
            value = model_field.value_to_string(obj) if value else None
        values[model_field.name] = value
    return values


def _from_plain(model: type[models.Model], values: dict) -> dict:
    """Keyword arguments for `model` from `_plain_fields()` output (unknown keys refused)."""
    fields = {}
    for name, value in values.items():
        model_field = model._meta.get_field(name)
        fields[name] = model_field.to_python(value) if value is not None else None
    return fields


def _renumber_photos(text: str, photo_ids: dict[int, int]) -> str:
    return PHOTO_REFERENCE.sub(
        lambda match: f"(photo:{photo_ids.get(int(match.group(1)), match.group(1))}", text
    )


# --- Export --------------------------------------------------------------------------------------


@dataclass
class _Exporter:
    users: dict[int, dict] = field(default_factory=dict)
    events: dict[int, dict] = field(default_factory=dict)
    speakers: dict[int, dict] = field(default_factory=dict)
    sessions: dict[int, dict] = field(default_factory=dict)
    revisions: dict[int, dict] = field(default_factory=dict)
    media: set[str] = field(default_factory=set)

    def user(self, user) -> str | None:
        if user is None:
            return None
        if user.pk not in self.users:
            profile = AuthorProfile.objects.filter(user=user).first()
            self.users[user.pk] = {
                "username": user.get_username(),
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "is_staff": user.is_staff,
                "is_active": user.is_active,
                "groups": sorted(user.groups.values_list("name", flat=True)),
                "profile": {"display_name": profile.display_name, "team": profile.team}
                if profile
                else None,
            }
        return user.get_username()

    def event(self, event: Event | None) -> str | None:
        if event is None:
            return None
        self.events.setdefault(event.pk, _plain_fields(event))
        return event.slug

    def session(self, session: Session | None) -> list | None:
        if session is None:
            return None
        if session.pk not in self.sessions:
            appearances = session.appearances.select_related("speaker").order_by("position", "pk")
            for appearance in appearances:
                self.speakers.setdefault(appearance.speaker_id, _plain_fields(appearance.speaker))
            self.sessions[session.pk] = {
                "event": self.event(session.event),
                **_plain_fields(session),
                "speakers": [
                    [appearance.speaker.slug, appearance.position] for appearance in appearances
                ],
            }
        return [session.event.slug, session.title]

    def versions(self, obj: models.Model) -> list[dict]:
        exported = []
        for version in Version.objects.get_for_object(obj).select_related("revision__user"):
            revision = version.revision
            if revision.pk not in self.revisions:
                self.revisions[revision.pk] = {
                    "key": revision.pk,
                    "date_created": revision.date_created.isoformat(),
                    "user": self.user(revision.user),
                    "comment": revision.comment,
                }
            stored = json.loads(version.serialized_data)[0]["fields"]
            exported.append(
                {
                    "revision": revision.pk,
                    "object_repr": version.object_repr,
                    "fields": self._natural_version_fields(stored),
                }
            )
        return exported

    def _natural_version_fields(self, stored: dict) -> dict:
        # An old version may name a row deleted since: it is then kept without it.
        fields = dict(stored)
        user_model = get_user_model()
        if fields.get("author") is not None:
            fields["author"] = self.user(user_model.objects.filter(pk=fields["author"]).first())
        if fields.get("session") is not None:
            fields["session"] = self.session(Session.objects.filter(pk=fields["session"]).first())
        if fields.get("event") is not None:
            fields["event"] = self.event(Event.objects.filter(pk=fields["event"]).first())
        return fields

    def report(self, report: Report) -> dict:
        sections = Section.objects.filter(report=report).select_related("session", "author")
        photos = Photo.objects.filter(report=report).order_by("position", "pk")
        all_photos = list(photos)
        for photo in all_photos:
            self.media.update(photo.stored_names)
        return {
            "fields": _plain_fields(report, skip={"lead_html", "closing_html", "reading_minutes"}),
            "event": self.event(report.event),
            "tags": sorted(report.tags.values_list("name", flat=True)),
            "editors": sorted(self.user(user) for user in report.editors.all()),
            "cover": report.cover_id,
            "members": [
                {
                    "user": self.user(member.user),
                    "added_by": self.user(member.added_by),
                    "added_at": member.added_at.isoformat(),
                }
                for member in report.memberships.select_related("user", "added_by")
            ],
            "sections": [self.section(section, all_photos) for section in sections],
            "photos": [
                {
                    "key": photo.pk,
                    "section": photo.section_id,
                    **_plain_fields(photo),
                }
                for photo in all_photos
            ],
            "trail": [
                {
                    "action": entry.action,
                    "actor": self.user(entry.actor),
                    "report_title": entry.report_title,
                    "subject": entry.subject,
                    "from_place": entry.from_place,
                    "to_place": entry.to_place,
                    "published_at": entry.published_at.isoformat() if entry.published_at else None,
                    "created_at": entry.created_at.isoformat(),
                }
                for entry in report.transitions.select_related("actor")
            ],
            "versions": self.versions(report),
        }

    def section(self, section: Section, report_photos: list[Photo]) -> dict:
        return {
            "key": section.pk,
            "session": self.session(section.session),
            "author": self.user(section.author),
            "reviewer": self.user(section.reviewer),
            "approval_holds": section.approval_holds(report_photos),
            "fields": _plain_fields(section, skip={"body_html"}),
            "transitions": [
                {
                    "action": transition.action,
                    "from_status": transition.from_status,
                    "to_status": transition.to_status,
                    "actor": self.user(transition.actor),
                    "version": transition.version,
                    "comment": transition.comment,
                    "created_at": transition.created_at.isoformat(),
                }
                for transition in section.transitions.select_related("actor")
            ],
            "comments": [
                {
                    "author": self.user(comment.author),
                    "body": comment.body,
                    "created_at": comment.created_at.isoformat(),
                }
                for comment in section.comments.select_related("author")
            ],
            "versions": self.versions(section),
        }


def export_reports(reports: Iterable[Report], target: BinaryIO, storage=default_storage) -> int:
    """Write `reports` (out of the trash) and what they need into a zip at `target`;
    returns the number of reports."""
    exporter = _Exporter()
    exported = [exporter.report(report) for report in reports]
    data = {
        "format": FORMAT,
        "version": VERSION,
        "users": list(exporter.users.values()),
        "events": list(exporter.events.values()),
        "speakers": list(exporter.speakers.values()),
        "sessions": list(exporter.sessions.values()),
        "revisions": list(exporter.revisions.values()),
        "reports": exported,
    }
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DATA_NAME, json.dumps(data, ensure_ascii=False, indent=1))
        for name in sorted(exporter.media):
            with storage.open(name, "rb") as stored:
                archive.writestr(MEDIA_PREFIX + name, stored.read())
    return len(exported)


# --- Import --------------------------------------------------------------------------------------


def read_archive(source: BinaryIO) -> tuple[dict, zipfile.ZipFile]:
    """The archive's data, checked enough that an import cannot stop half-way on its shape."""
    try:
        archive = zipfile.ZipFile(source)
        data = json.loads(archive.read(DATA_NAME).decode("utf-8"))
    except (zipfile.BadZipFile, OSError):
        raise ArchiveError(_("This file is not a zip archive of reports.")) from None
    except KeyError:
        raise ArchiveError(
            _("The archive has no %(name)s: it was not made by export_reports.")
            % {"name": DATA_NAME}
        ) from None
    except (UnicodeDecodeError, ValueError):
        raise ArchiveError(
            _("%(name)s in the archive is not valid JSON.") % {"name": DATA_NAME}
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ArchiveError(_("This is not an archive of reports made by export_reports."))
    if data.get("version") != VERSION:
        raise ArchiveError(
            _("This archive has version %(found)s; this site reads version %(expected)s.")
            % {"found": data.get("version"), "expected": VERSION}
        )
    names = set(archive.namelist())
    for report in data.get("reports", []):
        for photo in report.get("photos", []):
            wanted = [photo.get("image"), *(r.get("name") for r in photo.get("renditions", []))]
            missing = [name for name in wanted if MEDIA_PREFIX + str(name) not in names]
            if missing:
                raise ArchiveError(
                    _("The archive lacks the file %(name)s of a photo of “%(report)s”.")
                    % {"name": missing[0], "report": report.get("fields", {}).get("title", "?")}
                )
    return data, archive


@dataclass
class _Importer:
    data: dict
    archive: zipfile.ZipFile
    storage: object
    users: dict[str, object] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    sessions: dict[tuple[str, str], Session] = field(default_factory=dict)
    revisions: dict[int, Revision] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)

    def user(self, username: str | None):
        return self.users[username] if username is not None else None

    def load_people_and_conference(self) -> None:
        user_model = get_user_model()
        for person in self.data["users"]:
            user = user_model._base_manager.filter(username=person["username"]).first()
            if user is None:
                user = user_model(
                    username=person["username"],
                    first_name=person["first_name"],
                    last_name=person["last_name"],
                    email=person["email"],
                    is_staff=person["is_staff"],
                    is_active=person["is_active"],
                )
                user.set_unusable_password()
                user.save()
                user.groups.set(Group.objects.filter(name__in=person["groups"]))
                if person["profile"]:
                    AuthorProfile.objects.create(user=user, **person["profile"])
            self.users[person["username"]] = user
        for values in self.data["events"]:
            fields = _from_plain(Event, values)
            event = Event.objects.filter(slug=fields["slug"]).first()
            self.events[fields["slug"]] = event or Event.objects.create(**fields)
        speakers = {}
        for values in self.data["speakers"]:
            fields = _from_plain(Speaker, values)
            speaker = Speaker.objects.filter(slug=fields["slug"]).first()
            speakers[fields["slug"]] = speaker or Speaker.objects.create(**fields)
        for values in self.data["sessions"]:
            values = dict(values)
            event = self.events[values.pop("event")]
            billed = values.pop("speakers")
            fields = _from_plain(Session, values)
            session = Session.objects.filter(event=event, title=fields["title"]).first()
            if session is None:
                session = Session.objects.create(event=event, **fields)
                SessionSpeaker.objects.bulk_create(
                    SessionSpeaker(session=session, speaker=speakers[slug], position=position)
                    for slug, position in billed
                )
            self.sessions[(event.slug, session.title)] = session
        for values in self.data["revisions"]:
            self.revisions[values["key"]] = Revision.objects.create(
                date_created=values["date_created"],
                user=self.user(values["user"]),
                comment=values["comment"],
            )

    def session(self, key: list | None) -> Session | None:
        return self.sessions[tuple(key)] if key else None

    def report(self, exported: dict) -> Report:
        fields = _from_plain(Report, exported["fields"])
        lead, closing = fields.pop("lead"), fields.pop("closing")
        created_at, updated_at = fields.pop("created_at"), fields.pop("updated_at")
        report = Report(**fields, event=self.events.get(exported["event"]))
        report.slug = unique_slug(report, fields["slug"], fallback="report")
        report.save()
        report.tags.set(Tag.objects.get_or_create(name=name)[0] for name in exported["tags"])
        report.editors.set(self.user(username) for username in exported["editors"])
        ReportMember.objects.bulk_create(
            ReportMember(
                report=report,
                user=self.user(member["user"]),
                added_by=self.user(member["added_by"]),
                added_at=member["added_at"],
            )
            for member in exported["members"]
        )
        sections = {item["key"]: self.section(report, item) for item in exported["sections"]}
        photo_ids = {}
        for item in exported["photos"]:
            photo = self.photo(report, sections, item)
            photo_ids[item["key"]] = photo.pk
        for item in exported["sections"]:
            section = sections[item["key"]]
            section.body = _renumber_photos(item["fields"]["body"], photo_ids)
            section.save(update_fields=["body"])  # renders the figures of the new photos
        report.lead = _renumber_photos(lead, photo_ids)
        report.closing = _renumber_photos(closing, photo_ids)
        report.cover_id = photo_ids.get(exported["cover"])
        report.save(update_fields=["lead", "closing", "cover"])
        editing.refresh_reading_minutes(report)
        for item in exported["sections"]:
            self.section_history(sections[item["key"]], item, photo_ids)
        ReportTransition.objects.bulk_create(
            ReportTransition(report=report, actor=self.user(entry.pop("actor")), **entry)
            for entry in (dict(entry) for entry in exported["trail"])
        )
        self.versions(report, exported["versions"], photo_ids)
        # Last, so that the saves above leave the times as they were.
        Report.objects.filter(pk=report.pk).update(created_at=created_at, updated_at=updated_at)
        report.refresh_from_db()
        return report

    def section(self, report: Report, item: dict) -> Section:
        fields = _from_plain(Section, item["fields"])
        for name in ("body", "version", "created_at", "updated_at", "approved_digest"):
            fields.pop(name)
        section = Section(
            **fields,
            report=report,
            session=self.session(item["session"]),
            author=self.user(item["author"]),
            reviewer=self.user(item["reviewer"]),
        )
        section.save()
        return section

    def photo(self, report: Report, sections: dict, item: dict) -> Photo:
        names = {}
        for name in [item["image"], *(r["name"] for r in item["renditions"])]:
            content = ContentFile(self.archive.read(MEDIA_PREFIX + name))
            # A free name is kept; in the instance the archive came from, a new one.
            stored = self.storage.save(
                name if not self.storage.exists(name) else images.new_name(*_split(name)), content
            )
            self.written.append(stored)
            names[name] = stored
        values = {
            key: value
            for key, value in item.items()
            if key not in {"key", "section", "image", "renditions", "created_at"}
        }
        photo = Photo(
            **_from_plain(Photo, values),
            report=report,
            section=sections.get(item["section"]),
            renditions=[{**r, "name": names[r["name"]]} for r in item["renditions"]],
        )
        photo.image.name = names[item["image"]]
        photo.save()
        Photo.objects.filter(pk=photo.pk).update(created_at=item["created_at"])
        return photo

    def section_history(self, section: Section, item: dict, photo_ids: dict) -> None:
        SectionTransition.objects.bulk_create(
            SectionTransition(section=section, actor=self.user(entry.pop("actor")), **entry)
            for entry in (dict(entry) for entry in item["transitions"])
        )
        ReviewComment.objects.bulk_create(
            ReviewComment(section=section, author=self.user(entry.pop("author")), **entry)
            for entry in (dict(entry) for entry in item["comments"])
        )
        self.versions(section, item["versions"], photo_ids)
        exported = _from_plain(Section, item["fields"])
        if item["approval_holds"]:
            # What was approved is this content, under the photos' new ids and names.
            section.refresh_from_db()
            exported["approved_digest"] = section.content_digest()
        Section.objects.filter(pk=section.pk).update(
            version=exported["version"],
            approved_digest=exported["approved_digest"],
            created_at=exported["created_at"],
            updated_at=exported["updated_at"],
        )

    def versions(self, obj: models.Model, versions: list[dict], photo_ids: dict) -> None:
        content_type = ContentType.objects.get_for_model(type(obj))
        label = obj._meta.label_lower
        rows = []
        for version in versions:
            fields = dict(version["fields"])
            if "author" in fields and fields["author"] is not None:
                fields["author"] = self.user(fields["author"]).pk
            if "session" in fields and fields["session"] is not None:
                fields["session"] = self.session(fields["session"]).pk
            if "event" in fields and fields["event"] is not None:
                fields["event"] = self.events[fields["event"]].pk
            for text in ("body", "lead", "closing"):
                if isinstance(fields.get(text), str):
                    fields[text] = _renumber_photos(fields[text], photo_ids)
            rows.append(
                Version(
                    revision=self.revisions[version["revision"]],
                    object_id=str(obj.pk),
                    content_type=content_type,
                    db="default",
                    format="json",
                    serialized_data=json.dumps([{"model": label, "pk": obj.pk, "fields": fields}]),
                    object_repr=version["object_repr"],
                )
            )
        Version.objects.bulk_create(rows)


def _split(name: str) -> tuple[str, str]:
    directory, _slash, filename = name.rpartition("/")
    return directory or "photos", filename.rsplit(".", 1)[-1]


def import_reports(source: BinaryIO, storage=default_storage) -> list[Report]:
    """Add the reports of the archive at `source` under new ids; returns them.

    Raises ArchiveError, having written nothing, when the archive cannot be imported.
    """
    data, archive = read_archive(source)
    importer = _Importer(data, archive, storage)
    try:
        with transaction.atomic():
            importer.load_people_and_conference()
            return [importer.report(exported) for exported in data["reports"]]
    except (KeyError, TypeError, ValueError, LookupError) as error:
        images.delete_quietly(storage, importer.written)
        raise ArchiveError(
            _("The archive is incomplete or damaged (%(problem)s); nothing was imported.")
            % {"problem": f"{type(error).__name__}: {error}"}
        ) from error
    except BaseException:
        images.delete_quietly(storage, importer.written)
        raise
