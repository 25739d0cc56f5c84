"""Plain builders for test data: each returns a saved row with sensible defaults."""

import datetime
import io
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from blog.editing import refresh_reading_minutes
from blog.models import (
    AuthorProfile,
    Photo,
    Report,
    ReportMember,
    ReportStatus,
    Section,
    SectionStatus,
)
from sessions.models import Event, Session, SessionSpeaker, Speaker

_sequence = itertools.count(1)


def jpeg_bytes(width: int = 64, height: int = 48, color: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG")
    return buffer.getvalue()


def make_user(
    username: str | None = None, *, group: str | None = None, team: str = "SREブロック", **fields
):
    username = username or f"user{next(_sequence)}"
    user = get_user_model().objects.create_user(
        username=username, password="secret-pass", is_staff=group is not None, **fields
    )
    AuthorProfile.objects.create(user=user, display_name=f"{username} 表示名", team=team)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def make_event(**fields) -> Event:
    defaults = {
        "name": f"Conference {next(_sequence)}",
        "city": "Detroit",
        "venue": "Huntington Place",
        "starts_on": datetime.date(2022, 10, 24),
        "ends_on": datetime.date(2022, 10, 28),
    }
    return Event.objects.create(**defaults | fields)


def make_speaker(**fields) -> Speaker:
    defaults = {"name": f"Speaker {next(_sequence)}", "affiliation": "Example Inc."}
    return Speaker.objects.create(**defaults | fields)


def make_session(event: Event, speakers: tuple[Speaker, ...] = (), **fields) -> Session:
    defaults = {"title": f"Session {next(_sequence)}"}
    session = Session.objects.create(event=event, **defaults | fields)
    for position, speaker in enumerate(speakers):
        SessionSpeaker.objects.create(session=session, speaker=speaker, position=position)
    return session


def make_report(*, published: bool = False, **fields) -> Report:
    defaults = {"title": f"レポート {next(_sequence)}", "lead": "リード文です。"}
    if published:
        defaults |= {
            "status": ReportStatus.PUBLISHED,
            "published_at": timezone.now() - datetime.timedelta(hours=1),
        }
    return Report.objects.create(**defaults | fields)


def make_writer_of(report: Report, user) -> ReportMember:
    """Make `user` one of the report's writers, as an editor would."""
    return ReportMember.objects.get_or_create(report=report, user=user)[0]


def make_section(report: Report, author=None, *, member: bool = True, **fields) -> Section:
    """A section of `report` signed by `author`, who is made a writer of the report
    (as they must be to write in it) unless `member` is False."""
    author = author or make_user()
    if member:
        make_writer_of(report, author)
    defaults = {
        "heading": f"節 {next(_sequence)}" if "session" not in fields else "",
        "body": "本文です。",
        "status": SectionStatus.APPROVED
        if report.status == ReportStatus.PUBLISHED
        else SectionStatus.DRAFT,
    }
    section = Section.objects.create(report=report, author=author, **defaults | fields)
    if section.status == SectionStatus.APPROVED:
        bind_approval(section)
    refresh_reading_minutes(report)
    return section


def bind_approval(section: Section) -> None:
    """Record the section's content as what was approved, as approving it would."""
    Section.objects.filter(pk=section.pk).update(
        approved_digest=section.content_digest(), approved_version=section.version
    )
    section.refresh_from_db()


def make_photo(report: Report, section: Section | None = None, **fields) -> Photo:
    defaults = {
        "alt_text": "会場の写真",
        "caption": "会場の様子",
        "image": ContentFile(jpeg_bytes(), name="photo.jpg"),
    }
    photo = Photo(report=report, section=section, **defaults | fields)
    photo.save()
    if section is not None and section.status == SectionStatus.APPROVED:
        bind_approval(section)  # built as it was approved, photos and all
    return photo
