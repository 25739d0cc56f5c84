"""Emails about the review of sections. Called only after the change is committed.

What each move says and to whom comes from its row in `blog.workflow.SECTION_ACTIONS`.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from blog import roles
from blog.enums import Recipients
from blog.models import ReviewComment, Section, display_name_of, display_names_of, language_of


def _admin_link(section: Section) -> str:
    path = reverse("admin:blog_section_change", args=[section.pk])
    return f"{settings.SITE_URL}{path}"


def _send(recipients, subject: str, lines: list[str], *, actor=None) -> None:
    """Mail `recipients` (never the person whose action it was)."""
    addresses = sorted(
        {user.email for user in recipients if user.email and (actor is None or user.pk != actor.pk)}
    )
    if not addresses:
        return
    send_mail(
        subject=f"[{settings.SITE_NAME}] {subject}",
        message="\n\n".join(line for line in lines if line),
        from_email=None,
        recipient_list=addresses,
    )


def told_of_move(section: Section, move, by) -> list:
    """The people `move` (a `blog.workflow.Action`) on `section` is mailed to, whether or
    not they have an address: never `by`, who made it."""
    if move.notify == Recipients.NOBODY:
        return []
    people = (
        roles.reviewers_of(section) if move.notify == Recipients.REVIEWERS else [section.author]
    )
    return [person for person in people if person.pk != by.pk]


def mail_notes(section: Section, move, by) -> list[str]:
    """What `by` is told, after making `move`, of the mail it sends: to whom, and who could
    not be mailed. Said only as it is: nobody is "told" who has no address."""
    people = told_of_move(section, move, by)
    mailed = [person for person in people if person.email]
    unmailed = [person for person in people if not person.email]
    notes = []
    if mailed:
        notes.append(_("Emailed: %(names)s.") % {"names": display_names_of(mailed)})
    if unmailed:
        notes.append(
            _("Not emailed, as their account has no address: %(names)s.")
            % {"names": display_names_of(unmailed)}
        )
    return notes


def section_moved(section: Section, move, by, comment: str) -> None:
    """Tell the people `move` (a `blog.workflow.Action`) concerns that it happened."""
    recipients = told_of_move(section, move, by)
    if not recipients:
        return
    names = {
        "actor": display_name_of(by),
        "title": section.title,
        "report": section.report.title,
    }
    _send(
        recipients,
        str(move.subject) % names,
        [str(move.opening) % names, comment, _admin_link(section)],
        actor=by,
    )


def commented(comment: ReviewComment) -> None:
    section = comment.section
    if comment.author_id == section.author_id:
        recipients = roles.reviewers_of(section)
    else:
        recipients = [section.author]
    _send(
        recipients,
        _("New comment: %(title)s") % {"title": section.title},
        [
            _("%(actor)s commented on “%(title)s”:")
            % {"actor": display_name_of(comment.author), "title": section.title},
            comment.body,
            _admin_link(section),
        ],
        actor=comment.author,
    )


def reviewer_assigned(section: Section, by) -> None:
    _send(
        [section.reviewer],
        _("Review requested: %(title)s") % {"title": section.title},
        [
            _("%(actor)s asked you to review “%(title)s”.")
            % {"actor": display_name_of(by), "title": section.title},
            _admin_link(section),
        ],
    )


def deadline_reminder(user, late_sections: list[Section]) -> None:
    """Remind `user` of their late sections (`due` annotated), in their language."""
    with translation.override(language_of(user)):
        lines = [
            ngettext(
                "This section of yours is past its due date:",
                "These sections of yours are past their due dates:",
                len(late_sections),
            )
        ]
        for section in late_sections:
            lines.append(
                _("“%(title)s” in “%(report)s”, due %(date)s (%(status)s)")
                % {
                    "title": section.title,
                    "report": section.report.title,
                    "date": section.due.isoformat(),
                    "status": section.get_status_display(),
                }
                + f"\n{_admin_link(section)}"
            )
        lines.append(_("If a date no longer works, tell an editor; they can change it."))
        _send(
            [user],
            ngettext("%(count)s late section", "%(count)s late sections", len(late_sections))
            % {"count": len(late_sections)},
            lines,
        )
