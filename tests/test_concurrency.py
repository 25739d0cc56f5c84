"""Two editors acting on the same report or section at the same moment.

`blog.workflow` locks the row it changes (select_for_update), so the second of two
simultaneous moves sees the first one's result and changes nothing. The race tests
need two real database connections that block each other, which only PostgreSQL
gives: SQLite ignores select_for_update (it locks the whole file instead).
"""

import datetime
import threading
import time
from collections.abc import Callable
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from blog import workflow
from blog.enums import ReportAction, ReportStatus, SectionAction, SectionStatus
from blog.models import Report, ReportTransition, SectionTransition
from tests.factories import make_report, make_section, make_user

# Run in the PostgreSQL pass of the suite (see tests/conftest.py): two real database
# connections that block each other on a row lock are what is tested, and SQLite
# ignores select_for_update (it locks the whole file instead).
postgres_only = pytest.mark.postgresql

# How long a call pauses inside its transaction, after reading the state and before
# writing: long enough that the other editor's call is surely under way. Without the
# row lock both would then act on the same stale state.
HOLD = 0.3
TIMEOUT = 30


def race(*calls: Callable[[], object]) -> tuple[list[object], list[BaseException | None]]:
    """Start `calls` at the same moment, each on its own thread and database connection.

    Returns each call's result and each call's exception (None when it returned).
    """
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)
    errors: list[BaseException | None] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=TIMEOUT)
            results[index] = call()
        except BaseException as error:
            errors[index] = error
        finally:
            connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=run, args=(index, call), daemon=True)
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a racing call never finished"
    return results, errors


def slowed(function: Callable) -> Callable:
    """`function`, pausing first: a wide window for the other thread to interfere."""

    def wrapper(*args, **kwargs):
        time.sleep(HOLD)
        return function(*args, **kwargs)

    return wrapper


def approved_report() -> Report:
    """A report ready to publish: every section approved as it stands."""
    report = make_report()
    author = make_user(group="Writers")
    make_section(report, author=author, status=SectionStatus.APPROVED)
    make_section(report, author=author, status=SectionStatus.APPROVED)
    return report


def two_editors_at_once(obj, act: Callable, *, slow_down: str):
    """Two editors doing `act(obj, by=editor)` at the same moment, each with their own copy
    of `obj` as two requests would have, while `workflow.<slow_down>` pauses first."""
    editors = [make_user("editor_a", group="Editors"), make_user("editor_b", group="Editors")]
    copies = [type(obj).objects.get(pk=obj.pk) for _ in editors]
    with mock.patch.object(workflow, slow_down, slowed(getattr(workflow, slow_down))):
        outcomes, errors = race(
            *(
                lambda copy=copy, editor=editor: act(copy, by=editor)
                for copy, editor in zip(copies, editors, strict=True)
            )
        )
    return editors, outcomes, errors


# --- Publishing a report -------------------------------------------------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("staff_roles")
def test_two_editors_publishing_at_once_publish_once():
    report = approved_report()

    # The pause comes after the report is locked and read, before it is written.
    editors, outcomes, errors = two_editors_at_once(
        report, workflow.publish, slow_down="publication_blockers"
    )

    assert errors == [None, None]
    actions = [outcome.action for outcome in outcomes]
    assert sorted(actions, key=lambda action: action is None) == [ReportAction.PUBLISH, None]
    transition = ReportTransition.objects.get(report=report)  # exactly one, of any action
    assert transition.action == ReportAction.PUBLISH
    winner = editors[actions.index(ReportAction.PUBLISH)]
    assert transition.actor == winner
    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED
    assert report.published_at == transition.published_at
    # Both editors are shown the one committed publication.
    assert [outcome.report.published_at for outcome in outcomes] == [report.published_at] * 2
    assert list(report.editors.all()) == [winner]


@pytest.mark.django_db
def test_publishing_a_published_report_again_later_changes_nothing(editor):
    report = approved_report()
    first = workflow.publish(report, by=editor)
    assert first.action == ReportAction.PUBLISH
    published_at, updated_at = report.published_at, report.updated_at
    other_editor = make_user("editor_b", group="Editors")

    later = timezone.now() + datetime.timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        again = workflow.publish(report, by=other_editor)

    assert again.action is None
    assert again.report.published_at == published_at
    report.refresh_from_db()
    assert (report.status, report.published_at) == (ReportStatus.PUBLISHED, published_at)
    assert report.updated_at == updated_at  # not even saved
    assert list(report.editors.all()) == [editor]
    transition = ReportTransition.objects.get(report=report)
    assert (transition.action, transition.published_at) == (ReportAction.PUBLISH, published_at)


# --- Approving a section -------------------------------------------------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("staff_roles")
def test_two_editors_approving_at_once_approve_once():
    author = make_user("writer", group="Writers", email="writer@example.com")
    section = make_section(make_report(), author=author, status=SectionStatus.IN_REVIEW)

    # The pause comes after the section is locked and its state checked, before the write.
    editors, outcomes, errors = two_editors_at_once(section, workflow.approve, slow_down="_apply")

    assert errors == [None, None]
    changed = [outcome.changed for outcome in outcomes]
    assert sorted(changed) == [False, True]
    transition = SectionTransition.objects.get(section=section)  # exactly one
    assert (transition.action, transition.from_status, transition.to_status) == (
        SectionAction.APPROVE,
        SectionStatus.IN_REVIEW,
        SectionStatus.APPROVED,
    )
    assert transition.actor == editors[changed.index(True)]
    section.refresh_from_db()
    assert section.status == SectionStatus.APPROVED
    assert section.approval_holds()
    assert [outcome.section.status for outcome in outcomes] == [SectionStatus.APPROVED] * 2
    assert [message.to for message in mail.outbox] == [["writer@example.com"]]
