"""The demo's coverage board and deadlines, right after `load_demo`."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from blog.enums import DeadlineState
from blog.models import Section
from sessions.models import Event
from tests.test_demo import SECTION_AUTHORS, SESSION_TITLES, accounts  # noqa: F401 (fixture)

# The demo, loaded once for this module by tests/test_demo.py's fixture.
pytestmark = pytest.mark.usefixtures("accounts")


@pytest.mark.django_db
def test_demo_board_shows_the_seven_covered_sessions_claimed_by_their_writers(client):
    event = Event.objects.get(slug="kubecon-na-2022")
    client.force_login(get_user_model().objects.get(username="editor"))

    response = client.get(reverse("admin:blog_coverage_board", args=[event.pk]))

    claims = {
        row.session.title: [(s.author.username, s.status) for s in row.sections]
        for group in response.context["groups"]
        for row in group.sessions
    }
    covered = {title: claim for title, claim in claims.items() if claim}
    # The first section of the report is the overview, about no session.
    assert covered == {
        title: [(author, "approved")]
        for title, author in zip(SESSION_TITLES, SECTION_AUTHORS[1:], strict=True)
    }


@pytest.mark.django_db
def test_demo_home_shows_late_and_due_soon_work(client):
    client.force_login(get_user_model().objects.get(username="editor"))

    response = client.get(reverse("admin:index"))

    html = response.content.decode()
    panel = html[html.index('id="deadlines-title"') :]
    assert "KubeCon で学んだことを社内に持ち帰る" in panel
    assert "サイドカーの再起動をどう減らすか" in panel
    assert f"deadline-badge--{DeadlineState.LATE}" in panel
    assert f"deadline-badge--{DeadlineState.DUE_SOON}" in panel


@pytest.mark.django_db
def test_demo_writer_in_no_open_report_claims_a_session_on_the_kubecon_board(client):
    event = Event.objects.get(slug="kubecon-na-2022")
    client.force_login(get_user_model().objects.get(username="ito"))
    board_url = reverse("admin:blog_coverage_board", args=[event.pk])

    home = client.get(reverse("admin:index")).content.decode()
    board = client.get(board_url)
    session = next(
        row.session
        for group in board.context["groups"]
        for row in group.sessions
        if not row.is_claimed
    )
    claimed = client.post(
        reverse("admin:blog_coverage_claim", args=[event.pk]),
        {"session": session.pk, "report": board.context["board"].target.pk},
    )

    assert (
        f'<a href="{board_url}">KubeCon + CloudNativeCon North America 2022: 担当ボード</a>' in home
    )
    assert (board.context["can_claim"], board.context["board"].target.slug) == (
        True,
        "kubecon-learnings-at-home",
    )
    section = Section.objects.get(session=session, author__username="ito")
    assert claimed["Location"] == reverse("admin:blog_section_change", args=[section.pk])
    assert section.report.slug == "kubecon-learnings-at-home"
