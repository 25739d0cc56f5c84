"""Who may do what: state x persona x permission -> expected."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import make_photo, make_report, make_section

pytestmark = pytest.mark.django_db

PERSONAS = ["author", "coauthor", "editor", "outsider", "anonymous"]


@pytest.fixture
def people(author, coauthor, editor, outsider):
    return {
        "author": author,
        "coauthor": coauthor,
        "editor": editor,
        "outsider": outsider,
        "anonymous": AnonymousUser(),
    }


def section_in(state: str, author, *, live: bool = False):
    report = make_report(published=live)
    return make_section(report, author=author, status=state)


# (permission, state) -> the personas allowed; everyone else is refused.
MATRIX = {
    ("view_section", "draft"): {"author", "editor"},
    ("view_section", "approved"): {"author", "editor"},
    ("change_section", "draft"): {"author", "editor"},
    ("change_section", "changes_requested"): {"author", "editor"},
    ("change_section", "in_review"): {"editor"},
    ("change_section", "approved"): {"editor"},  # the edit sends it back to review
    ("delete_section", "draft"): {"author", "editor"},
    ("delete_section", "in_review"): {"editor"},
    ("submit_section", "draft"): {"author", "editor"},
    ("submit_section", "changes_requested"): {"author", "editor"},
    ("submit_section", "in_review"): set(),
    ("submit_section", "approved"): set(),
    ("approve_section", "in_review"): {"editor"},
    ("approve_section", "draft"): set(),
    ("approve_section", "changes_requested"): set(),
    ("request_changes_section", "in_review"): {"editor"},
    ("request_changes_section", "approved"): set(),
    ("reopen_section", "approved"): {"editor"},
    ("reopen_section", "in_review"): set(),
    ("comment_section", "in_review"): {"author", "editor"},
    ("assign_reviewer", "draft"): {"editor"},
}


@pytest.mark.parametrize(("permission", "state"), list(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_section_permission_matrix(people, persona, permission, state):
    section = section_in(state, people["author"])

    allowed = people[persona].has_perm(f"blog.{permission}", section)

    assert allowed is (persona in MATRIX[(permission, state)])


@pytest.mark.parametrize("persona", PERSONAS)
def test_sections_of_a_published_report_are_locked_except_for_editor_corrections(people, persona):
    section = section_in("approved", people["author"], live=True)

    assert people[persona].has_perm("blog.change_section", section) is (persona == "editor")
    assert people[persona].has_perm("blog.reopen_section", section) is False


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("author", True),
        ("coauthor", False),
        ("editor", True),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_preview_permission(people, persona, expected):
    report = make_report()
    make_section(report, author=people["author"])

    assert people[persona].has_perm("blog.preview_report", report) is expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("author", False), ("editor", True), ("outsider", False), ("anonymous", False)],
)
def test_publishing_is_for_editors(people, persona, expected):
    assert people[persona].has_perm("blog.publish_report", make_report()) is expected


@pytest.mark.parametrize(
    ("persona", "state", "expected"),
    [
        ("author", "draft", True),
        ("author", "in_review", False),
        ("coauthor", "draft", False),
        ("editor", "in_review", True),
        ("outsider", "draft", False),
    ],
)
def test_photo_permissions_follow_the_section(people, persona, state, expected):
    section = section_in(state, people["author"])
    photo = make_photo(section.report, section)

    assert people[persona].has_perm("blog.change_photo", photo) is expected
    assert people[persona].has_perm("blog.delete_photo", photo) is expected


def test_superuser_is_an_editor(superuser):
    section = section_in("in_review", superuser)

    assert superuser.has_perm("blog.approve_section", section) is True


def test_roles_come_from_a_data_migration(db):
    from django.contrib.auth.models import Group

    writers = set(Group.objects.get(name="Writers").permissions.values_list("codename", flat=True))
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))

    assert {"add_section", "change_section", "view_report"} <= writers
    assert "change_report" not in writers
    assert {"change_report", "change_event", "add_speaker"} <= editors
