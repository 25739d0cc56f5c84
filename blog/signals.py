from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from blog import images, pagecache
from blog.models import AuthorProfile, Photo, Report, Section, Tag
from sessions.models import Event, Session, SessionSpeaker, Speaker


@receiver(post_delete, sender=Photo)
def remove_photo_files(sender, instance: Photo, **kwargs) -> None:
    """Delete the stored original and renditions once the deletion is committed.

    Waiting for the commit means a rolled-back delete never leaves a row
    pointing at files that are gone. Every way a photo goes (its own delete, its
    section's or report's) ends here, so the files go with it.
    """
    storage, names = instance.image.storage, instance.stored_names
    # Taken now: by the time of the commit, Django has set the instance's pk to None.
    photo_id, report_id = instance.pk, instance.report_id

    def remove() -> None:
        from blog import editing

        images.delete_quietly(storage, names)
        # Texts that showed the photo now show a notice in its place. After the commit,
        # so that a report being deleted whole is not rendered again on its way out.
        editing.render_texts_showing(photo_id, report_id)

    transaction.on_commit(remove)


# Every row a reader's page shows. Saving or deleting any of them, however it is done (the
# services in blog/editing.py and blog/workflow.py, the admin's conference and tag pages, a
# revision restored, the demo loader, the shell), empties the page cache once committed.
# Derived columns written with `update()` are written in the same transaction as a save.
SHOWN_ON_PUBLIC_PAGES = (
    Report,
    Section,
    Photo,
    Tag,
    AuthorProfile,
    get_user_model(),  # names in bylines, and who has an author page
    Event,
    Session,
    Speaker,
    SessionSpeaker,
)


def public_content_changed(sender, using=None, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login, not an edit of the person
    pagecache.content_changed(using)


for model in SHOWN_ON_PUBLIC_PAGES:
    post_save.connect(public_content_changed, sender=model, dispatch_uid=f"pagecache-save-{model}")
    post_delete.connect(
        public_content_changed, sender=model, dispatch_uid=f"pagecache-delete-{model}"
    )
m2m_changed.connect(
    public_content_changed, sender=Report.tags.through, dispatch_uid="pagecache-report-tags"
)
