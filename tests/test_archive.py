"""The portable archive: export, import into the same or an emptied instance, compare."""

import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse
from reversion.models import Version

from blog import archive, editing, trash, workflow
from blog.models import Photo, Report, Section
from tests.factories import (
    make_event,
    make_photo,
    make_report,
    make_section,
    make_session,
    make_speaker,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(author, coauthor, editor):
    """A published report with everything an archive must carry."""
    event = make_event(name="KubeCon NA", slug="kubecon-na")
    session = make_session(
        event, speakers=(make_speaker(name="Lin Sun", slug="lin-sun"),), title="Istio の今"
    )
    report = make_report(event=event, title="参加レポート", lead="リード", slug="sanka")
    report.tags.create(name="SRE")
    first = make_section(report, author=author, session=session, position=0, body="本文一")
    second = make_section(report, author=coauthor, heading="まとめ", position=1, body="本文二")
    figure = make_photo(report, first, alt_text="構成図", credit_text="Lin Sun")
    make_photo(report, in_gallery=True, alt_text="会場", position=1)
    first.body = f'図を見てください。\n\n![構成図](photo:{figure.pk} "全体像")'
    editing.save_section(first, by=author)
    report.closing = f"![構成図](photo:{figure.pk})"
    editing.save_report(report, by=editor)
    for section, writer in [(first, author), (second, coauthor)]:
        workflow.submit(section, by=writer)
    workflow.request_changes(second, by=editor, comment="結論を一行で")
    workflow.comment_on(second, by=coauthor, body="直しました")
    workflow.submit(second, by=coauthor)
    workflow.approve(first, by=editor)
    workflow.approve(second, by=editor)
    workflow.publish(report, by=editor)
    # Moved and moved back: two entries of the trail, each with its places.
    editing.move_section(second, editing.SECTION_STEPS["up"], by=editor)
    editing.move_section(second, editing.SECTION_STEPS["down"], by=editor)
    return Report.objects.get(pk=report.pk)


def exported(*reports) -> bytes:
    buffer = io.BytesIO()
    archive.export_reports(reports, buffer)
    return buffer.getvalue()


def stored_bytes(name: str) -> bytes:
    with default_storage.open(name, "rb") as stored:
        return stored.read()


def described(report: Report) -> dict:
    """Everything the round trip must keep, without ids: photos by position in the
    report, so that texts compare once photo numbers are replaced by positions."""
    photos = list(Photo.objects.filter(report=report).order_by("position", "pk"))
    number = {photo.pk: index for index, photo in enumerate(photos)}

    def text(value: str) -> str:
        return archive._renumber_photos(value, number)

    sections = list(Section.objects.filter(report=report).order_by("position", "pk"))
    return {
        "report": (
            report.title,
            text(report.lead),
            text(report.closing),
            report.status,
            report.published_at,
            report.event.slug,
            sorted(report.tags.values_list("name", flat=True)),
            sorted(report.writers.values_list("username", flat=True)),
            report.reading_minutes,
            report.created_at,
            report.updated_at,
        ),
        "trail": [
            (
                entry.action,
                entry.actor.username,
                entry.subject,
                entry.from_place,
                entry.to_place,
                entry.created_at,
            )
            for entry in report.transitions.all()
        ],
        "sections": [
            (
                section.position,
                section.session.title if section.session else None,
                section.heading,
                section.author.username,
                section.author_team,
                text(section.body),
                section.status,
                section.version,
                section.created_at,
                section.updated_at,
                section.approval_holds(),
                [
                    (t.action, t.from_status, t.to_status, t.actor.username, t.version, t.comment)
                    for t in section.transitions.all()
                ]
                + [(t.created_at,) for t in section.transitions.all()],
                [(c.author.username, c.body, c.created_at) for c in section.comments.all()],
                [
                    (
                        v.revision.date_created,
                        v.revision.user.username,
                        text(v.field_dict["body"]),
                        v.field_dict["version"],
                    )
                    for v in Version.objects.get_for_object(section)
                ],
            )
            for section in sections
        ],
        "photos": [
            (
                photo.alt_text,
                photo.caption,
                photo.credit_text,
                photo.position,
                photo.in_gallery,
                photo.section.position if photo.section else None,
                photo.width,
                photo.height,
                [stored_bytes(name) for name in photo.stored_names],
            )
            for photo in photos
        ],
    }


def test_an_import_into_the_same_instance_is_a_faithful_copy_under_new_ids(published):
    before = described(published)

    (copy,) = archive.import_reports(io.BytesIO(exported(published)))

    assert copy.pk != published.pk
    assert copy.slug == "sanka-2"
    assert described(copy) == before
    assert set(Section.objects.filter(report=copy).values_list("pk", flat=True)).isdisjoint(
        Section.objects.filter(report=published).values_list("pk", flat=True)
    )
    copied_names = {n for p in Photo.objects.filter(report=copy) for n in p.stored_names}
    original_names = {n for p in Photo.objects.filter(report=published) for n in p.stored_names}
    assert copied_names.isdisjoint(original_names)
    assert workflow.publication_blockers(copy) == []


def test_an_import_after_the_original_was_purged_brings_back_its_address_and_page(
    client, published, editor, superuser, django_capture_on_commit_callbacks
):
    data = exported(published)
    before = described(published)
    page = client.get(published.get_absolute_url()).content.decode()
    workflow.unpublish(published, by=editor)
    trash.trash_report(published, by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        trash.purge(Report.all_objects.get(pk=published.pk), by=superuser)

    (restored,) = archive.import_reports(io.BytesIO(data))

    assert restored.slug == "sanka"
    assert described(restored)["sections"] == before["sections"]
    assert described(restored)["photos"] == before["photos"]
    again = client.get(restored.get_absolute_url()).content.decode()
    assert again.count("<figure") == page.count("<figure") > 0
    assert "Istio の今" in again and "結論を一行で" not in again


def test_the_commands_export_one_report_and_import_it(published, tmp_path):
    other = make_report(title="ほかのレポート")
    make_section(other)
    target = tmp_path / "reports.zip"

    call_command("export_reports", "sanka", "--output", str(target))
    call_command("import_reports", str(target))

    data = json.loads(zipfile.ZipFile(target).read("archive.json"))
    assert [report["fields"]["title"] for report in data["reports"]] == ["参加レポート"]
    assert Report.objects.filter(title="参加レポート").count() == 2
    assert Report.objects.filter(title="ほかのレポート").count() == 1


def test_export_without_slugs_takes_every_report_out_of_the_trash(published, editor, tmp_path):
    other = make_report(title="ほかのレポート")
    gone = make_report(title="捨てたレポート")
    trash.trash_report(gone, by=editor)
    target = tmp_path / "all.zip"

    call_command("export_reports", "--output", str(target))

    data = json.loads(zipfile.ZipFile(target).read("archive.json"))
    assert sorted(r["fields"]["title"] for r in data["reports"]) == sorted(
        [published.title, other.title]
    )


def test_an_unknown_slug_is_refused(tmp_path):
    with pytest.raises(CommandError, match="nothing-here"):
        call_command("export_reports", "nothing-here", "--output", str(tmp_path / "x.zip"))


def test_people_and_conference_data_are_matched_or_created(published, author):
    data = exported(published)
    # Another instance: the same names, none of the rows.
    published.delete()
    author_pk = author.pk
    author.delete()

    archive.import_reports(io.BytesIO(data))

    from django.contrib.auth import get_user_model

    recreated = get_user_model().objects.get(username="author")
    assert recreated.pk != author_pk
    assert recreated.has_usable_password() is False
    assert recreated.author_profile.display_name == "author 表示名"
    assert list(recreated.groups.values_list("name", flat=True)) == ["Writers"]


def corrupt(data: bytes, *, drop: str = "", replace: dict | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            if name == drop:
                continue
            content = source.read(name)
            if replace and name in replace:
                content = replace[name]
            target.writestr(name, content)
    return buffer.getvalue()


def media_files() -> set[str]:
    found = set()
    for directory in ["photos"]:
        stack = [directory]
        while stack:
            current = stack.pop()
            if not default_storage.exists(current):
                continue
            folders, files = default_storage.listdir(current)
            stack += [f"{current}/{folder}" for folder in folders]
            found |= {f"{current}/{name}" for name in files}
    return found


def bad_archives(published) -> dict[str, tuple[bytes, str]]:
    good = exported(published)
    data = json.loads(zipfile.ZipFile(io.BytesIO(good)).read("archive.json"))
    photo_file = data["reports"][0]["photos"][0]["image"]
    damaged = json.loads(json.dumps(data))
    del damaged["reports"][0]["sections"][1]["author"]
    newer = dict(data, version=99)
    return {
        "not a zip": (b"PK not really", "zip"),
        "no data": (corrupt(good, drop="archive.json"), "archive.json"),
        "not json": (corrupt(good, replace={"archive.json": b"{oops"}), "JSON"),
        "another format": (
            corrupt(good, replace={"archive.json": b'{"format": "other"}'}),
            "export_reports",
        ),
        "a newer version": (
            corrupt(good, replace={"archive.json": json.dumps(newer).encode()}),
            "99",
        ),
        "a missing photo file": (corrupt(good, drop=f"media/{photo_file}"), photo_file),
        "a damaged entry": (
            corrupt(good, replace={"archive.json": json.dumps(damaged).encode()}),
            "何も取り込んでいません",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "not a zip",
        "no data",
        "not json",
        "another format",
        "a newer version",
        "a missing photo file",
        "a damaged entry",
    ],
)
def test_a_bad_archive_is_refused_with_its_reason_and_nothing_written(published, tmp_path, case):
    content, reason = bad_archives(published)[case]
    path = tmp_path / "bad.zip"
    path.write_bytes(content)
    counts = (
        Report.objects.count(),
        Section.objects.count(),
        Photo.objects.count(),
        Version.objects.count(),
    )
    files = media_files()

    with pytest.raises(CommandError, match=reason):
        call_command("import_reports", str(path))

    assert (
        Report.objects.count(),
        Section.objects.count(),
        Photo.objects.count(),
        Version.objects.count(),
    ) == counts
    assert media_files() == files


def test_an_editor_downloads_reports_as_an_archive(client, editor, published):
    client.force_login(editor)

    response = client.post(
        reverse("admin:blog_report_changelist"),
        {"action": "download_archive", "_selected_action": [published.pk]},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'attachment; filename="reports-' in response["Content-Disposition"]
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("archive.json"))
    assert [report["fields"]["slug"] for report in data["reports"]] == ["sanka"]


def test_writers_are_not_offered_the_download(client, author, published):
    client.force_login(author)

    response = client.post(
        reverse("admin:blog_report_changelist"),
        {"action": "download_archive", "_selected_action": [published.pk]},
    )

    assert response.get("Content-Type") != "application/zip"
