"""Who counts as an editor and who as a writer: one definition of each.

Each role is one `Q` condition on the user table. The queryset (`editors()`,
`writers()`) and the predicate (`is_editor`, `is_writer`, for `blog/rules.py`)
are both read from it, so a reviewer menu, a notification list and a permission
check cannot disagree about who is an editor. Superusers count as editors; the desk
(`desk()`), whom writers ask and review requests go to, is the Editors group's, and the
superuser account only when that group has nobody.
"""

import rules
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from blog.enums import EDITORS, WRITERS

EDITOR_CONDITION = Q(is_active=True) & (
    Q(is_superuser=True) | Q(is_staff=True, groups__name=EDITORS)
)
WRITER_CONDITION = Q(is_active=True, is_staff=True, groups__name=WRITERS)


def _people(condition: Q) -> QuerySet:
    users = get_user_model().objects.filter(pk__in=get_user_model().objects.filter(condition))
    by_name = Coalesce("author_profile__display_name", "username")
    return users.select_related("author_profile").order_by(by_name, "username")


def editors() -> QuerySet:
    """Everyone who reviews, approves and publishes."""
    return _people(EDITOR_CONDITION)


def desk() -> list:
    """The editors a writer is sent to and a review request goes to: the Editors group's
    staff, or any editor when the group has nobody (so the site's superuser account only
    when there is no real editor)."""
    staff_editors = editors().filter(is_staff=True)
    return list(staff_editors.filter(groups__name=EDITORS)) or list(staff_editors)


def reviewers_of(section) -> list:
    """Who answers for a section in review: its reviewer when it has one, else the desk."""
    return [section.reviewer] if section.reviewer_id else desk()


def writers() -> QuerySet:
    """Everyone who may be made a writer of a report."""
    return _people(WRITER_CONDITION)


def authors() -> QuerySet:
    """Everyone who may sign a section: writers and editors."""
    return _people(WRITER_CONDITION | EDITOR_CONDITION)


def _has_role(user, role: str, condition: Q) -> bool:
    if user is None or not user.is_authenticated:
        return False
    # Asked many times a request (menus, rows, buttons): one query per role and user.
    cache = user.__dict__.setdefault("_blog_roles", {})
    if role not in cache:
        cache[role] = get_user_model().objects.filter(condition, pk=user.pk).exists()
    return cache[role]


@rules.predicate
def is_editor(user) -> bool:
    return _has_role(user, "editor", EDITOR_CONDITION)


@rules.predicate
def is_writer(user) -> bool:
    return _has_role(user, "writer", WRITER_CONDITION)
