"""Who may do what: state x persona x permission -> expected."""

import pytest
from django.contrib.auth.models import AnonymousUser

from blog import roles, workflow
from tests.factories import make_photo, make_report, make_section, make_user, make_writer_of

pytestmark = pytest.mark.django_db

PERSONAS = ["author", "coauthor", "stranger", "editor", "superuser", "outsider", "anonymous"]


@pytest.fixture
def people(author, coauthor, editor, superuser, outsider):
    """`author` signs the section; `coauthor` is another writer of the same report;
    `stranger` is a writer who is not one of the report's writers."""
    return {
        "author": author,
        "coauthor": coauthor,
        "stranger": make_user("stranger", group="Writers"),
        "editor": editor,
        "superuser": superuser,
        "outsider": outsider,
        "anonymous": AnonymousUser(),
    }


def section_in(state: str, people, *, live: bool = False):
    report = make_report(published=live)
    make_writer_of(report, people["coauthor"])
    return make_section(report, author=people["author"], status=state)


EDITORS = {"editor", "superuser"}

# (permission, state) -> the personas allowed; everyone else is refused.
MATRIX = {
    ("view_section", "draft"): {"author"} | EDITORS,
    ("view_section", "approved"): {"author"} | EDITORS,
    ("change_section", "draft"): {"author"} | EDITORS,
    ("change_section", "changes_requested"): {"author"} | EDITORS,
    ("change_section", "in_review"): EDITORS,
    ("change_section", "approved"): EDITORS,  # a change to its content sends it back
    ("delete_section", "draft"): {"author"} | EDITORS,
    ("delete_section", "in_review"): EDITORS,
    ("comment_section", "in_review"): {"author"} | EDITORS,
    ("assign_reviewer", "draft"): EDITORS,
}


@pytest.mark.parametrize(("permission", "state"), list(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_section_permission_matrix(people, persona, permission, state):
    section = section_in(state, people)

    allowed = people[persona].has_perm(f"blog.{permission}", section)

    assert allowed is (persona in MATRIX[(permission, state)])


# (action, state) -> the personas offered the move; the workflow refuses everyone else.
MOVES = {
    ("submit", "draft"): {"author"} | EDITORS,
    ("submit", "changes_requested"): {"author"} | EDITORS,
    ("submit", "in_review"): set(),
    ("submit", "approved"): set(),
    ("approve", "in_review"): EDITORS,
    ("approve", "draft"): set(),
    ("approve", "changes_requested"): set(),
    ("request_changes", "in_review"): EDITORS,
    ("request_changes", "approved"): set(),
    ("reopen", "approved"): EDITORS,
    ("reopen", "in_review"): set(),
}


@pytest.mark.parametrize(("action", "state"), list(MOVES))
@pytest.mark.parametrize("persona", PERSONAS)
def test_review_moves_offered_by_the_workflow_table(people, persona, action, state):
    section = section_in(state, people)

    assert workflow.may(section, people[persona], action) is (persona in MOVES[(action, state)])


@pytest.mark.parametrize("persona", PERSONAS)
def test_sections_of_a_published_report_are_locked_except_for_editor_corrections(people, persona):
    section = section_in("approved", people, live=True)

    assert people[persona].has_perm("blog.change_section", section) is (persona in EDITORS)
    assert workflow.may(section, people[persona], "reopen") is False


# (permission, published?) -> the personas allowed on a report whose writers are the
# author and the coauthor.
REPORT_MATRIX = {
    ("view_report", False): {"author", "coauthor"} | EDITORS,
    ("preview_report", False): {"author", "coauthor"} | EDITORS,
    ("preview_report", True): {"author", "coauthor"} | EDITORS,
    ("add_section", False): {"author", "coauthor"} | EDITORS,
    ("write_in_report", False): {"author", "coauthor"} | EDITORS,
    # Nothing new in a published report; a superuser is granted every permission by
    # Django, so the move itself refuses them (tests/test_admin_workflow.py).
    ("write_in_report", True): {"superuser"},
    ("change_report", False): EDITORS,
    ("publish_report", False): EDITORS,
    ("share_report", False): EDITORS,
}


@pytest.mark.parametrize(("permission", "live"), list(REPORT_MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_report_permission_matrix(people, persona, permission, live):
    report = section_in("approved" if live else "draft", people, live=live).report

    allowed = people[persona].has_perm(f"blog.{permission}", report)

    assert allowed is (persona in REPORT_MATRIX[(permission, live)])


@pytest.mark.parametrize(
    ("persona", "state", "expected"),
    [
        ("author", "draft", True),
        ("author", "in_review", False),
        ("coauthor", "draft", False),
        ("stranger", "draft", False),
        ("editor", "in_review", True),
        ("superuser", "approved", True),
        ("outsider", "draft", False),
    ],
)
def test_photo_permissions_follow_the_section(people, persona, state, expected):
    section = section_in(state, people)
    photo = make_photo(section.report, section)

    assert people[persona].has_perm("blog.change_photo", photo) is expected
    assert people[persona].has_perm("blog.delete_photo", photo) is expected


def test_an_author_taken_off_the_writers_loses_their_section(people):
    section = section_in("draft", people)
    section.report.memberships.filter(user=people["author"]).delete()
    author = type(people["author"]).objects.get(pk=people["author"].pk)  # no cached rights

    assert author.has_perm("blog.view_section", section) is False
    assert author.has_perm("blog.change_section", section) is False
    assert author.has_perm("blog.view_report", section.report) is False


def test_superuser_without_editors_group_or_staff_flag_is_an_editor(superuser):
    superuser.is_staff = False
    superuser.save()
    section = section_in_report_of(superuser)

    assert superuser.has_perm("blog.review_sections") is True
    assert workflow.may(section, superuser, "approve") is True
    assert list(roles.editors()) == [superuser]


def section_in_report_of(author):
    return make_section(make_report(), author=author, status="in_review")


def test_one_meaning_of_editor_everywhere(people):
    """The predicate and the queryset that rules, menus, notifications and lists read agree."""
    everyone = [person for name, person in people.items() if name != "anonymous"]
    inactive = make_user("retired-editor", group="Editors", is_active=False)

    by_predicate = {person.pk for person in [*everyone, inactive] if roles.is_editor(person)}

    assert by_predicate == set(roles.editors().values_list("pk", flat=True))
    assert by_predicate == {people["editor"].pk, people["superuser"].pk}


def test_roles_come_from_a_data_migration(db):
    from django.contrib.auth.models import Group

    writers = set(Group.objects.get(name="Writers").permissions.values_list("codename", flat=True))
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))

    assert {"add_section", "change_section", "view_report"} <= writers
    assert "change_report" not in writers
    assert {"change_report", "change_event", "add_speaker"} <= editors


# --- The same rules, met over HTTP: member and non-member writers, editors, superusers ---------

# (what, method) -> {persona: status}; personas missing from a row get the row's default.
ENDPOINTS = {
    ("preview", "get"): ({"author": 200, "coauthor": 200, "editor": 200, "superuser": 200}, 403),
    ("report page", "get"): (
        {"author": 200, "coauthor": 200, "editor": 200, "superuser": 200},
        403,
    ),
    ("report revisions", "get"): (
        {"author": 200, "coauthor": 200, "editor": 200, "superuser": 200},
        403,
    ),
    ("section page", "get"): ({"author": 200, "editor": 200, "superuser": 200}, 403),
    ("section compare", "get"): ({"author": 200, "editor": 200, "superuser": 200}, 403),
    ("section restore", "post"): ({"editor": 302, "superuser": 302}, 403),
    ("share link", "post"): ({"editor": 302, "superuser": 302}, 403),
}


def endpoint_url(what: str, section, version_id: int) -> str:
    from django.urls import reverse

    report = section.report
    return {
        "preview": reverse("blog:report_preview", args=[report.pk]),
        "report page": reverse("admin:blog_report_change", args=[report.pk]),
        "report revisions": reverse("admin:blog_report_revisions", args=[report.pk]),
        "section page": reverse("admin:blog_section_change", args=[section.pk]),
        "section compare": reverse("admin:blog_section_revisions", args=[section.pk])
        + f"?older={version_id}&newer={version_id}",
        "section restore": reverse("admin:blog_section_restore", args=[section.pk, version_id]),
        "share link": reverse("admin:blog_report_share", args=[report.pk]),
    }[what]


@pytest.mark.parametrize(("what", "method"), list(ENDPOINTS))
@pytest.mark.parametrize("persona", ["author", "coauthor", "stranger", "editor", "superuser"])
def test_membership_over_http(client, people, persona, what, method):
    from reversion.models import Version

    from blog import editing

    section = section_in("draft", people)
    section.body = "最初の版"
    editing.save_section(section, by=people["author"])
    version = Version.objects.get_for_object(section).first()
    client.force_login(people[persona])
    allowed, default = ENDPOINTS[(what, method)]

    response = getattr(client, method)(endpoint_url(what, section, version.pk), {"valid_for": 3})

    assert response.status_code == allowed.get(persona, default)


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("author", True), ("coauthor", True), ("stranger", False), ("editor", True)],
)
def test_adding_a_section_over_http_needs_membership(client, people, persona, allowed):
    from django.urls import reverse

    from blog.models import Section

    report = section_in("draft", people).report
    client.force_login(people[persona])

    client.post(
        reverse("admin:blog_section_add"),
        {
            "report": report.pk,
            "position": 5,
            "heading": "追加しようとした節",
            "author": people[persona].pk,
            "body": "本文",
            "photos-TOTAL_FORMS": 0,
            "photos-INITIAL_FORMS": 0,
        },
    )

    assert Section.objects.filter(heading="追加しようとした節").exists() is allowed
