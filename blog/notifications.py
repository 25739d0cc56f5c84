"""Emails about the review of sections. Called only after the change is committed."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from blog.enums import EDITORS, SectionAction
from blog.models import ReviewComment, Section, display_name_of


def _editors() -> list:
    users = get_user_model().objects.filter(is_active=True, is_staff=True, groups__name=EDITORS)
    return list(users.distinct())


def _admin_link(section: Section) -> str:
    path = reverse("admin:blog_section_change", args=[section.pk])
    return f"{settings.SITE_URL}{path}"


def _send(recipients: list, subject: str, lines: list[str]) -> None:
    addresses = sorted({user.email for user in recipients if user.email})
    if not addresses:
        return
    send_mail(
        subject=f"[{settings.SITE_NAME}] {subject}",
        message="\n\n".join(lines),
        from_email=None,
        recipient_list=addresses,
    )


def _reviewers_of(section: Section) -> list:
    return [section.reviewer] if section.reviewer_id else _editors()


# What the author is told after each move an editor makes: subject and first line.
_TO_AUTHOR = {
    SectionAction.APPROVE: (
        gettext_lazy("Approved: %(title)s"),
        gettext_lazy("%(actor)s approved your section “%(title)s”."),
    ),
    SectionAction.REQUEST_CHANGES: (
        gettext_lazy("Changes requested: %(title)s"),
        gettext_lazy("%(actor)s asks for changes to your section “%(title)s”:"),
    ),
    SectionAction.REOPEN: (
        gettext_lazy("Reopened: %(title)s"),
        gettext_lazy("%(actor)s reopened your section “%(title)s”; you can edit it again."),
    ),
}


def section_moved(section: Section, action: str, by, comment: str) -> None:
    names = {
        "actor": display_name_of(by),
        "title": section.title,
        "report": section.report.title,
    }
    link = _admin_link(section)
    if action == SectionAction.SUBMIT:
        _send(
            _reviewers_of(section),
            _("Review requested: %(title)s") % names,
            [_("%(actor)s submitted “%(title)s” in “%(report)s” for review.") % names, link],
        )
    elif action in _TO_AUTHOR:
        subject, opening = _TO_AUTHOR[action]
        lines = [str(opening) % names, comment, link]
        _send([section.author], str(subject) % names, [line for line in lines if line])


def commented(comment: ReviewComment) -> None:
    section = comment.section
    if comment.author_id == section.author_id:
        recipients = _reviewers_of(section)
    else:
        recipients = [section.author]
    _send(
        [user for user in recipients if user.pk != comment.author_id],
        _("New comment: %(title)s") % {"title": section.title},
        [
            _("%(actor)s commented on “%(title)s”:")
            % {"actor": display_name_of(comment.author), "title": section.title},
            comment.body,
            _admin_link(section),
        ],
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
