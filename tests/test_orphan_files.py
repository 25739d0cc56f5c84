"""No file outlives the row that would have pointed to it, and a command finds any that do."""

import datetime
import io
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DatabaseError, models, transaction

from blog import editing
from blog.enums import SectionStatus
from blog.management.commands.find_orphan_files import stored_names
from blog.models import Photo, Section, SectionTransition
from tests.factories import jpeg_bytes, make_photo, make_report, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    """A media folder of this test's own, so that other tests' files do not count."""
    settings.MEDIA_ROOT = tmp_path / "media"


class Injected(Exception):
    """A failure injected into a later step of a save."""


def snapshot() -> tuple[set[str], int, int]:
    """Stored files (through the storage API), photo rows and transition rows."""
    return (
        set(stored_names(default_storage)),
        Photo.objects.count(),
        SectionTransition.objects.count(),
    )


def new_photo(section: Section) -> Photo:
    image = ContentFile(jpeg_bytes(1200, 800), name="stage.jpg")
    return Photo(report=section.report, section=section, image=image, alt_text="登壇者")


def test_a_photo_whose_row_fails_to_save_leaves_no_file(author):
    section = make_section(make_report(), author)
    before = snapshot()

    with (
        mock.patch.object(models.Model, "save", side_effect=DatabaseError("disk full")),
        pytest.raises(DatabaseError),
    ):
        editing.save_photo(new_photo(section), by=author)

    assert snapshot() == before


def test_a_failure_after_the_photo_is_saved_rolls_back_its_files_too(author):
    section = make_section(make_report(), author)
    before = snapshot()

    with (
        mock.patch("blog.editing.after_photo_changed", side_effect=Injected),
        pytest.raises(Injected),
    ):
        editing.save_photo(new_photo(section), by=author)

    assert snapshot() == before


def test_a_failed_section_save_leaves_neither_its_new_photo_nor_files(author):
    section = make_section(make_report(), author, body="元の本文")
    before = snapshot()
    section.body = "新しい本文"

    def save_photos() -> bool:
        new_photo(section).save()
        return True

    with (
        mock.patch("blog.editing.refresh_reading_minutes", side_effect=Injected),
        pytest.raises(Injected),
    ):
        editing.save_section(section, by=author, related=save_photos)

    assert snapshot() == before
    assert Section.objects.get(pk=section.pk).body == "元の本文"


def test_a_failed_transition_leaves_no_photo_file_and_no_state_change(author, editor):
    section = make_section(make_report(), author, status=SectionStatus.APPROVED, body="承認済み")
    before = snapshot()
    section.body = "承認後の変更"

    def save_photos() -> bool:
        new_photo(section).save()
        return True

    # The change sends the section back to review; recording that move fails.
    with (
        mock.patch.object(SectionTransition.objects, "create", side_effect=Injected),
        pytest.raises(Injected),
    ):
        editing.save_section(section, by=editor, related=save_photos)

    assert snapshot() == before
    stored = Section.objects.get(pk=section.pk)
    assert (stored.status, stored.body) == (SectionStatus.APPROVED, "承認済み")


def test_a_committed_photo_keeps_its_files(author, django_capture_on_commit_callbacks):
    section = make_section(make_report(), author)
    before = snapshot()[0]

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        editing.save_photo(new_photo(section), by=author)
    photo = Photo.objects.get(section=section)

    assert snapshot()[0] - before == set(photo.stored_names)
    assert len(photo.stored_names) == 7  # the original and six renditions


def test_the_files_of_a_rolled_back_photo_go_with_the_savepoint(author):
    section = make_section(make_report(), author)
    kept = make_photo(section.report, section)
    before = snapshot()

    with transaction.atomic():
        new_photo(section).save()
        transaction.set_rollback(True)

    assert snapshot() == before
    assert all(default_storage.exists(name) for name in kept.stored_names)


# --- find_orphan_files ----------------------------------------------------------------------


def run(*args) -> list[str]:
    out = io.StringIO()
    call_command("find_orphan_files", *args, stdout=out)
    return out.getvalue().splitlines()


def old_enough():
    """Make every stored file look two hours old, as the command looks only at old ones."""
    two_hours_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=2)
    return mock.patch.object(
        type(default_storage._wrapped), "get_modified_time", return_value=two_hours_ago
    )


def test_find_orphan_files_lists_only_files_no_row_points_to(author):
    section = make_section(make_report(), author)
    photo = make_photo(section.report, section)
    orphan = default_storage.save("photos/originals/left-behind.jpg", ContentFile(b"x"))

    with old_enough():
        listed = run()

    assert listed == [orphan, "Found 1 file(s) that no row points to."]
    assert all(default_storage.exists(name) for name in [orphan, *photo.stored_names])


def test_find_orphan_files_delete_removes_them_and_keeps_the_rest(author):
    section = make_section(make_report(), author)
    photo = make_photo(section.report, section)
    orphan = default_storage.save("photos/renditions/left-behind-480.webp", ContentFile(b"x"))

    with old_enough():
        listed = run("--delete")
        again = run()

    assert listed == [orphan, "Removed 1 file(s) that no row points to."]
    assert again == ["Found 0 file(s) that no row points to."]
    assert not default_storage.exists(orphan)
    assert all(default_storage.exists(name) for name in photo.stored_names)


def test_find_orphan_files_leaves_a_fresh_upload_alone():
    # A file written a moment ago may belong to a transaction that has not committed yet.
    default_storage.save("photos/originals/in-flight.jpg", ContentFile(b"x"))

    assert run("--delete") == ["Removed 0 file(s) that no row points to."]
    assert default_storage.exists("photos/originals/in-flight.jpg")


@pytest.mark.django_db(transaction=True)
def test_a_whole_transaction_rolled_back_takes_its_files_and_a_commit_keeps_them(
    staff_roles, author
):
    section = make_section(make_report(), author)
    before = snapshot()

    with pytest.raises(Injected), transaction.atomic():
        new_photo(section).save()
        raise Injected
    rolled_back = snapshot()
    with transaction.atomic():
        photo = new_photo(section)
        photo.save()

    assert rolled_back == before
    assert snapshot()[0] - before[0] == set(photo.stored_names)


# --- The same in a bucket (moto's S3 server) -------------------------------------------------


def test_a_failed_section_save_leaves_no_object_in_the_bucket(bucket, author):
    section = make_section(make_report(), author)
    section.body = "新しい本文"

    def save_photos() -> bool:
        new_photo(section).save()
        return True

    with (
        mock.patch("blog.editing.refresh_reading_minutes", side_effect=Injected),
        pytest.raises(Injected),
    ):
        editing.save_section(section, by=author, related=save_photos)

    assert (bucket.keys(), Photo.objects.count()) == (set(), 0)


def test_find_orphan_files_works_on_a_bucket(bucket, author):
    section = make_section(make_report(), author)
    photo = make_photo(section.report, section)
    orphan = default_storage.save("photos/originals/left-behind.jpg", ContentFile(b"x"))

    listed = run("--delete", "--min-age", "0")

    assert listed == [orphan, "Removed 1 file(s) that no row points to."]
    assert bucket.keys() == set(photo.stored_names)
