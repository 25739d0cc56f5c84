"""The coverage board: claiming sessions, editors assigning and unassigning, what it shows."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from blog import coverage
from blog.enums import ReportAction
from blog.models import ReportMember, Section, SectionStatus, SessionCoverage
from tests.factories import (
    make_event,
    make_photo,
    make_report,
    make_section,
    make_session,
    make_speaker,
    make_user,
)

pytestmark = pytest.mark.django_db

TOKYO = datetime.timezone(datetime.timedelta(hours=9))


@pytest.fixture
def event():
    return make_event(name="KubeCon テスト")


@pytest.fixture
def talk(event):
    speakers = (
        make_speaker(name="Lin Sun", affiliation="Solo.io"),
        make_speaker(name="山田 太郎", affiliation="Example 株式会社"),
    )
    return make_session(
        event,
        speakers,
        title="サイドカーのこれから",
        track="Service Mesh",
        starts_at=datetime.datetime(2022, 10, 26, 11, 0, tzinfo=TOKYO),
    )


@pytest.fixture
def report(event):
    return make_report(title="参加レポート", event=event)


def board_url(event, **query) -> str:
    url = reverse("admin:blog_coverage_board", args=[event.pk])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def post(client, event, action: str, data: dict):
    return client.post(reverse(f"admin:blog_coverage_{action}", args=[event.pk]), data, follow=True)


# --- Claiming ------------------------------------------------------------------------------------


def test_claim_makes_a_draft_about_the_session_and_the_writer_a_writer_of_the_report(
    author, talk, report
):
    outcome = coverage.claim(talk, report, by=author)

    section = Section.objects.get(pk=outcome.section.pk)
    assert outcome.created is True
    assert (section.report, section.session, section.author) == (report, talk, author)
    assert section.status == SectionStatus.DRAFT
    assert section.heading == ""
    assert section.title == "サイドカーのこれから"
    assert [speaker.name for speaker in section.session.ordered_speakers] == [
        "Lin Sun",
        "山田 太郎",
    ]
    member = ReportMember.objects.get(report=report, user=author)
    assert member.added_by == author
    assert author.has_perm("blog.change_section", section)
    # In the report's audit trail like any writer an editor adds, by the writer's own hand.
    joined = report.transitions.get(action=ReportAction.ADD_WRITER)
    assert (joined.actor, joined.subject) == (author, "author 表示名")


def test_claim_goes_after_the_report_s_last_section(author, coauthor, talk, report):
    make_section(report, author=coauthor, position=4)

    section = coverage.claim(talk, report, by=author).section

    assert section.position == 5


def test_claim_over_http_lands_in_the_new_draft_with_title_and_speakers(
    client, author, talk, report
):
    client.force_login(author)

    response = post(client, talk.event, "claim", {"session": talk.pk, "report": report.pk})

    section = Section.objects.get(session=talk)
    assert response.redirect_chain == [
        (reverse("admin:blog_section_change", args=[section.pk]), 302)
    ]
    html = response.content.decode()
    assert "サイドカーのこれから" in html
    assert "Lin Sun (Solo.io)" in html
    assert "山田 太郎 (Example 株式会社)" in html
    assert messages_of(response) == [
        "「サイドカーのこれから」はあなたの担当になりました。「参加レポート」の下書きです。"
    ]


def test_claiming_a_session_twice_is_refused_and_nothing_is_written(
    client, author, coauthor, talk, report
):
    coverage.claim(talk, report, by=author)
    client.force_login(coauthor)

    response = post(client, talk.event, "claim", {"session": talk.pk, "report": report.pk})

    assert response.redirect_chain[-1][0].startswith(board_url(talk.event))
    assert messages_of(response) == [
        "「サイドカーのこれから」はすでに author 表示名 さんが担当しています。"
        "編集者が許可すれば、もう一人担当できます。"
    ]
    assert list(Section.objects.values_list("author__username", flat=True)) == ["author"]
    assert not ReportMember.objects.filter(user=coauthor).exists()


def test_claiming_one_s_own_session_again_changes_nothing(author, talk, report):
    first = coverage.claim(talk, report, by=author).section

    again = coverage.claim(talk, report, by=author)

    assert (again.created, again.section.pk) == (False, first.pk)
    assert Section.objects.count() == 1


def test_a_session_covered_in_another_report_of_the_event_is_taken(
    author, coauthor, talk, report, event
):
    published = make_report(title="前回のレポート", event=event, published=True)
    make_section(published, author=coauthor, session=talk)

    with pytest.raises(coverage.CoverageRefused):
        coverage.claim(talk, report, by=author)

    assert not report.sections.exists()


def test_an_editor_s_allowance_lets_a_second_writer_claim_but_not_a_third(
    author, coauthor, editor, talk, report
):
    coverage.claim(talk, report, by=author)

    allowance = coverage.allow_another_writer(talk, by=editor)
    second = coverage.claim(talk, report, by=coauthor)

    assert allowance.writers_allowed == 2
    assert second.section.author == coauthor
    with pytest.raises(coverage.CoverageRefused):
        coverage.claim(talk, report, by=make_user("third", group="Writers"))
    assert Section.objects.filter(session=talk).count() == 2


def test_a_writer_cannot_allow_another_writer(client, author, coauthor, talk, report):
    coverage.claim(talk, report, by=author)
    with pytest.raises(PermissionDenied):
        coverage.allow_another_writer(talk, by=coauthor)
    client.force_login(coauthor)

    response = post(client, talk.event, "allow", {"session": talk.pk, "report": report.pk})

    assert messages_of(response) == ["セッションの担当者を増やせるのは編集者だけです。"]
    assert not SessionCoverage.objects.exists()


def test_editor_allows_another_writer_over_http(client, author, editor, talk, report):
    coverage.claim(talk, report, by=author)
    client.force_login(editor)

    response = post(client, talk.event, "allow", {"session": talk.pk, "report": report.pk})

    assert messages_of(response) == [
        "「サイドカーのこれから」は 2 人まで担当できるようになりました。"
    ]
    assert SessionCoverage.objects.get(session=talk).allowed_by == editor


def test_claims_into_a_published_report_are_refused(client, author, talk, event):
    published = make_report(title="公開済み", event=event, published=True)
    client.force_login(author)

    response = post(client, event, "claim", {"session": talk.pk, "report": published.pk})

    assert messages_of(response) == ["このレポートは担当の申し出を受け付けていません。"]
    assert not Section.objects.exists()
    assert not ReportMember.objects.exists()


def test_claim_without_a_report_is_refused_with_a_message(client, author, talk):
    client.force_login(author)

    response = post(client, talk.event, "claim", {"session": talk.pk})

    assert messages_of(response) == ["先に、どのレポートに書くかを選んでください。"]
    assert not Section.objects.exists()


def test_a_session_of_another_event_cannot_be_claimed_for_the_report(author, report):
    elsewhere = make_session(make_event(), title="別のイベントの講演")

    with pytest.raises(coverage.CoverageRefused) as refusal:
        coverage.claim(elsewhere, report, by=author)

    assert refusal.value.messages == [
        "「別のイベントの講演」はこのレポートのイベントのセッションではありません。"
    ]
    assert not Section.objects.exists()


def test_someone_outside_the_writers_group_cannot_claim(outsider, talk, report):
    with pytest.raises(PermissionDenied):
        coverage.claim(talk, report, by=outsider)

    assert not Section.objects.exists()


# --- Assigning and unassigning -------------------------------------------------------------------


def test_editor_assigns_a_session_to_a_writer(client, author, editor, talk, report):
    client.force_login(editor)

    response = post(
        client, talk.event, "assign", {"session": talk.pk, "report": report.pk, "writer": author.pk}
    )

    section = Section.objects.get(session=talk)
    assert section.author == author
    assert ReportMember.objects.get(report=report, user=author).added_by == editor
    assert messages_of(response) == ["author 表示名 さんが「サイドカーのこれから」を担当します。"]
    # Said in the session's card, where the board opens, not above the top of the window.
    html = response.content.decode()
    card = html.split(f'id="session-{talk.pk}"', 1)[1].split("</li>", 1)[0]
    assert 'role="status">author 表示名 さんが「サイドカーのこれから」を担当します。' in card
    assert html.count("さんが「サイドカーのこれから」を担当します。") == 1
    assert response.redirect_chain[-1][0].endswith(
        f"?report={report.pk}&at={talk.pk}#session-{talk.pk}"
    )


def test_assigning_a_taken_session_is_refused_until_an_editor_allows_another(
    author, coauthor, editor, talk, report
):
    coverage.claim(talk, report, by=author)

    with pytest.raises(coverage.CoverageRefused):
        coverage.assign(talk, report, coauthor, by=editor)
    coverage.allow_another_writer(talk, by=editor)
    coverage.assign(talk, report, coauthor, by=editor)

    assert set(Section.objects.values_list("author__username", flat=True)) == {"author", "coauthor"}


def test_a_writer_cannot_assign(client, author, coauthor, talk, report):
    client.force_login(author)

    response = post(
        client,
        talk.event,
        "assign",
        {"session": talk.pk, "report": report.pk, "writer": coauthor.pk},
    )

    assert messages_of(response) == ["セッションの担当を割り当てられるのは編集者だけです。"]
    assert not Section.objects.exists()


def test_assign_without_a_writer_says_so(client, editor, talk, report):
    client.force_login(editor)

    response = post(client, talk.event, "assign", {"session": talk.pk, "report": report.pk})

    assert messages_of(response) == ["先に担当者を選んでください。"]
    assert not Section.objects.exists()


def test_editor_unassigns_an_empty_claim(client, author, editor, talk, report):
    section = coverage.claim(talk, report, by=author).section
    client.force_login(editor)

    response = post(client, talk.event, "unassign", {"section": section.pk})

    assert not Section.objects.exists()
    assert Section.all_objects.get(pk=section.pk).in_trash  # as the message says
    assert messages_of(response) == [
        "author 表示名 さんは「サイドカーのこれから」の担当から外れました。"
        "空の下書きはゴミ箱に移しました。"
    ]
    # They stay a writer of the report: editors take writers off on the report page.
    assert ReportMember.objects.filter(report=report, user=author).exists()


def test_unassigning_a_claim_with_text_is_refused_and_keeps_the_text(
    client, author, editor, talk, report
):
    section = make_section(report, author=author, session=talk, body="書き始めた本文")
    client.force_login(editor)

    response = post(client, talk.event, "unassign", {"section": section.pk})

    assert messages_of(response) == [
        "author 表示名 さんは「サイドカーのこれから」をすでに書き始めているため、担当を外せません。"
        "引き継ぐ場合は節のページで著者を変更するか、そこで節を削除してください。"
    ]
    assert Section.objects.get(pk=section.pk).body == "書き始めた本文"


def test_unassigning_a_claim_with_a_photo_is_refused(author, editor, talk, report):
    section = make_section(report, author=author, session=talk, body="")
    make_photo(report, section)

    with pytest.raises(coverage.CoverageRefused):
        coverage.unassign(section, by=editor)

    assert Section.objects.filter(pk=section.pk).exists()


def test_a_writer_cannot_unassign_even_their_own_claim(client, author, talk, report):
    section = coverage.claim(talk, report, by=author).section
    client.force_login(author)

    response = post(client, talk.event, "unassign", {"section": section.pk})

    assert messages_of(response) == ["セッションの担当を外せるのは編集者だけです。"]
    assert Section.objects.filter(pk=section.pk).exists()


# --- Who may -------------------------------------------------------------------------------------

PERSONAS = ["author", "editor", "superuser", "outsider", "anonymous"]
EDITORS = {"editor", "superuser"}
STAFF_AUTHORS = {"author"} | EDITORS

# permission -> who may, asked with a report. Whether the report still takes claims is
# blog.coverage's to check (see the refusals above and below), superusers included.
REPORT_MATRIX = {
    "claim_session": STAFF_AUTHORS,
    "assign_session": EDITORS,
    "view_coverage": STAFF_AUTHORS,
    "set_due_date": EDITORS,
    "allow_another_writer": EDITORS,
    "unassign_session": EDITORS,
}


@pytest.fixture
def people(author, editor, superuser, outsider):
    return {
        "author": author,
        "editor": editor,
        "superuser": superuser,
        "outsider": outsider,
        "anonymous": AnonymousUser(),
    }


@pytest.mark.parametrize("permission", list(REPORT_MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_coverage_permission_matrix(people, persona, permission):
    report = make_report()

    allowed = people[persona].has_perm(f"blog.{permission}", report)

    assert allowed is (persona in REPORT_MATRIX[permission])


@pytest.mark.parametrize("persona", ["editor", "superuser"])
def test_even_a_superuser_cannot_claim_assign_or_unassign_in_a_published_report(
    people, persona, author, talk, event
):
    published = make_report(event=event, published=True)
    section = make_section(published, author=author, session=talk, body="")
    other = make_session(event, title="別の講演")

    with pytest.raises(coverage.CoverageRefused):
        coverage.claim(other, published, by=people[persona])
    with pytest.raises(coverage.CoverageRefused):
        coverage.assign(other, published, author, by=people[persona])
    with pytest.raises(coverage.CoverageRefused) as refusal:
        coverage.unassign(section, by=people[persona])

    assert refusal.value.messages == ["このレポートは公開済みのため、節はそのまま残ります。"]
    assert list(Section.objects.all()) == [section]


def test_the_board_refuses_staff_who_neither_write_nor_edit(client, event):
    staff = make_user("staff")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)

    assert client.get(board_url(event)).status_code == 403


def test_the_board_sends_the_anonymous_to_log_in(client, event):
    response = client.get(board_url(event))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


# --- What the board shows ------------------------------------------------------------------------


@pytest.fixture
def schedule(event, report, author, coauthor):
    """Two days, two tracks; one session claimed and in review, one claimed and late."""
    day1 = datetime.datetime(2022, 10, 26, 10, 0, tzinfo=TOKYO)
    day2 = datetime.datetime(2022, 10, 27, 10, 0, tzinfo=TOKYO)
    sessions = {
        "mesh": make_session(event, title="メッシュの話", track="Mesh", starts_at=day1),
        "wasm": make_session(event, title="Wasm の話", track="Edge", starts_at=day1),
        "logs": make_session(event, title="ログの話", track="Mesh", starts_at=day2),
        "later": make_session(event, title="時間未定の話"),
    }
    make_section(report, author=author, session=sessions["mesh"], status=SectionStatus.IN_REVIEW)
    make_section(
        report,
        author=coauthor,
        session=sessions["logs"],
        due_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    return sessions


def board_of(client, user, event, **query):
    client.force_login(user)
    response = client.get(board_url(event, **query))
    assert response.status_code == 200
    return response


def shown(response) -> list[tuple]:
    """(day, place, [(title, [(writer, state, deadline)])]) per group, from the context."""
    return [
        (
            group.day,
            group.place,
            [
                (
                    row.session.title,
                    [
                        (section.author.username, section.status, section.deadline)
                        for section in row.sections
                    ],
                )
                for row in group.sessions
            ],
        )
        for group in response.context["groups"]
    ]


def test_board_groups_sessions_by_day_then_track_with_who_and_state(
    client, editor, event, schedule
):
    response = board_of(client, editor, event)

    assert shown(response) == [
        (
            datetime.date(2022, 10, 26),
            "Edge",
            [("Wasm の話", [])],
        ),
        (
            datetime.date(2022, 10, 26),
            "Mesh",
            [("メッシュの話", [("author", "in_review", None)])],
        ),
        (
            datetime.date(2022, 10, 27),
            "Mesh",
            [("ログの話", [("coauthor", "draft", "late")])],
        ),
        (None, "", [("時間未定の話", [])]),
    ]
    html = response.content.decode()
    assert "レビュー中" in html
    assert "期限切れ" in html
    assert (response.context["board"].late, response.context["board"].due_soon) == (1, 0)
    # The tally under the report counts the board's sections, and says so.
    tally = html.split('class="coverage-deadlines"', 1)[1].split("</p>", 1)[0]
    assert "下のセッションについての節:" in tally


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ({"day": "2022-10-26"}, ["Wasm の話", "メッシュの話"]),
        ({"day": "unscheduled"}, ["時間未定の話"]),
        ({"place": "Mesh"}, ["メッシュの話", "ログの話"]),
        ({"coverage": "claimed"}, ["メッシュの話", "ログの話"]),
        ({"coverage": "unclaimed"}, ["Wasm の話", "時間未定の話"]),
        ({"status": "in_review"}, ["メッシュの話"]),
        ({"day": "2022-10-27", "status": "in_review"}, []),
    ],
)
def test_board_filters(client, author, event, schedule, query, titles):
    response = board_of(client, author, event, **query)

    assert [title for _day, _place, rows in shown(response) for title, _ in rows] == titles


def test_a_filter_value_not_on_the_board_is_ignored_with_a_note(client, author, event, schedule):
    response = board_of(client, author, event, day="1999-01-01")

    assert len([row for group in response.context["groups"] for row in group.sessions]) == 4
    assert "絞り込みの値がこのボードにないため、無視しました。" in response.content.decode()


def test_board_shows_a_due_soon_claim(client, author, event, report, talk):
    make_section(
        report, author=author, session=talk, due_on=timezone.localdate() + datetime.timedelta(2)
    )

    response = board_of(client, author, event)

    assert shown(response)[0][2] == [("サイドカーのこれから", [("author", "draft", "due_soon")])]
    assert "期限間近" in response.content.decode()


def test_board_offers_claim_buttons_only_for_free_sessions(client, coauthor, event, schedule):
    html = board_of(client, coauthor, event).content.decode()

    assert html.count("担当する<span") == 2  # the two free sessions
    assert html.count("自分の節を開く") == 1  # coauthor's own claim


def test_board_without_an_open_report_says_claims_wait_for_one(client, author, event, talk):
    make_report(event=event, published=True)

    response = board_of(client, author, event)

    assert response.context["board"].target is None
    html = response.content.decode()
    assert "このイベントのレポートは執筆中のものがないため、今は担当を申し出られません。" in html
    assert "担当する<span" not in html


def test_with_several_open_reports_the_board_asks_which_one(client, author, event, talk):
    first = make_report(title="一本目", event=event)
    second = make_report(title="二本目", event=event)

    asking = board_of(client, author, event)
    chosen = board_of(client, author, event, report=second.pk)
    post(client, event, "claim", {"session": talk.pk, "report": second.pk})

    assert asking.context["board"].target is None
    assert [report.title for report in asking.context["board"].choices] == ["一本目", "二本目"]
    assert chosen.context["board"].target == second
    assert Section.objects.get(session=talk).report == second
    assert not first.sections.exists()


# A writer's page also asks whether they have a report to add a section to (the menu's
# 追加 link): an editor always has.
@pytest.mark.parametrize(("persona", "queries"), [("editor", 14), ("author", 16)])
def test_board_costs_the_same_queries_for_few_and_many_sessions(
    client, people, persona, queries, author, coauthor, event, django_assert_num_queries
):
    report = make_report(event=event)

    def add_claimed_session(number: int) -> None:
        session = make_session(
            event, (make_speaker(), make_speaker()), title=f"講演 {number}", track=f"T{number}"
        )
        make_section(report, author=author if number % 2 else coauthor, session=session)

    add_claimed_session(1)
    make_session(event, title="空き")
    client.force_login(people[persona])
    client.get(board_url(event))  # warms the content types

    with django_assert_num_queries(queries):
        client.get(board_url(event))
    for number in range(2, 8):
        add_claimed_session(number)
    with django_assert_num_queries(queries):
        client.get(board_url(event))


def test_the_event_page_and_the_admin_home_link_to_the_board(client, editor, event):
    client.force_login(editor)

    event_page = client.get(reverse("admin:conference_event_change", args=[event.pk]))
    home = client.get(reverse("admin:index"))

    assert board_url(event) in event_page.content.decode()
    assert board_url(event) in home.content.decode()
    assert reverse("admin:blog_coverage_index") in home.content.decode()


def test_the_board_groups_by_the_conferences_day_and_room(client, editor, report):
    detroit = make_event(name="KubeCon Detroit", time_zone="America/Detroit")
    make_report(title="デトロイトのレポート", event=detroit)
    # 20:00 in Detroit is already the next morning in Tokyo: the board keeps Detroit's day.
    evening = make_session(
        detroit,
        title="夜のセッション",
        track="Security",
        room="Huntington Place 140",
        starts_at=datetime.datetime(2022, 10, 26, 20, 0, tzinfo=ZoneInfo("America/Detroit")),
    )

    board = coverage.build_board(detroit, editor)

    groups = board.groups({})
    group = next(group for group in groups if evening in [row.session for row in group.sessions])
    assert (group.day, group.place) == (datetime.date(2022, 10, 26), "Huntington Place 140")
    # And at Detroit's hour, as the session's public page gives it.
    html = board_of(client, editor, detroit).content.decode()
    assert '<time datetime="2022-10-26T20:00:00-04:00">20:00</time>' in html


def test_the_boards_place_filter_says_it_is_rooms_or_tracks(client, editor, event):
    client.force_login(editor)

    page = client.get(reverse("admin:blog_coverage_board", args=[event.pk])).content.decode()

    assert '<label for="id_place">会場・トラック</label>' in page
    assert '<option value="" selected>すべての会場・トラック</option>' in page
