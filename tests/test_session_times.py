"""Sessions' times in the admin are on the clock where the event is held, not the site's.

An editor copies a Detroit session's "10:00" from the printed programme: it is 10:00 in
Detroit (23:00 in Tokyo while Detroit keeps summer time, midnight after), on the event's
page, on the session's page, on the public pages and on the coverage board alike.
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from sessions.models import Event, Session
from tests.factories import make_event, make_report, make_section, make_session
from tests.forms import form_values

DETROIT = ZoneInfo("America/Detroit")
TOKYO = ZoneInfo("Asia/Tokyo")

# Detroit's summer time ended on 6 November 2022: 10:00 there was 23:00 in Tokyo before,
# and midnight of the next day after.
DAYS = [
    pytest.param(datetime.date(2022, 10, 26), (2022, 10, 26, 23, 0), id="summer-time"),
    pytest.param(datetime.date(2022, 11, 7), (2022, 11, 8, 0, 0), id="standard-time"),
]


@pytest.fixture
def detroit(db):
    return make_event(
        name="KubeCon NA",
        time_zone="America/Detroit",
        starts_on=datetime.date(2022, 10, 24),
        ends_on=datetime.date(2022, 11, 8),
    )


def event_page(event) -> str:
    return reverse("admin:conference_event_change", args=[event.pk])


def session_page(session) -> str:
    return reverse("admin:conference_session_change", args=[session.pk])


def sent_back(client, url: str, form_id: str, **changes) -> dict:
    """The page's own form as a browser sends it, with `changes`."""
    data = {
        name: values[0] if len(values) == 1 else values
        for name, values in form_values(client.get(url).content.decode(), form_id).items()
    }
    return data | changes


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def input_value(html: str, name: str) -> str:
    tag = re.search(rf'<input [^>]*name="{re.escape(name)}"[^>]*>', html).group(0)
    return re.search(r'value="([^"]*)"', tag).group(1)


def body_time_zone(html: str) -> str:
    return re.search(r'data-admin-server-timezone="([^"]*)"', html).group(1)


# --- The event's page ----------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "in_tokyo"), DAYS)
def test_a_time_typed_on_the_event_page_is_on_the_event_s_clock(
    client, editor, detroit, day, in_tokyo
):
    session = make_session(detroit, title="Istio Today and Tomorrow")
    client.force_login(editor)

    response = client.post(
        event_page(detroit),
        sent_back(
            client,
            event_page(detroit),
            "event_form",
            **{
                "sessions-0-starts_at": f"{day}T10:00",
                "sessions-0-ends_at": f"{day}T10:35",
            },
        ),
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == datetime.datetime.combine(day, datetime.time(10), DETROIT)
    assert session.starts_at.astimezone(TOKYO).timetuple()[:5] == in_tokyo
    assert session.ends_at == datetime.datetime.combine(day, datetime.time(10, 35), DETROIT)
    # Shown back as typed, in the one box a time the table has.
    page = client.get(event_page(detroit)).content.decode()
    assert input_value(page, "sessions-0-starts_at") == f"{day}T10:00"
    assert 'type="datetime-local"' in page


def test_the_event_page_names_the_event_s_time_zone_once_for_its_sessions(client, editor, detroit):
    make_session(detroit, starts_at=datetime.datetime(2022, 10, 26, 10, 0, tzinfo=DETROIT))
    client.force_login(editor)

    page = client.get(event_page(detroit)).content.decode()

    note = "開始日時と終了日時は、開催地のタイムゾーン America/Detroit の時刻で入力・表示します。"
    assert page.count(note) == 1
    # The admin's note under a time box (DateTimeShortcuts) is told the same zone.
    assert body_time_zone(page) == "America/Detroit"
    # The first and last days are dates, on no clock.
    assert input_value(page, "starts_on") == "2022-10-24"


def test_a_tokyo_event_s_times_are_tokyo_s(client, editor):
    tokyo = make_event(name="CloudNative Days", time_zone="Asia/Tokyo")
    session = make_session(tokyo)
    client.force_login(editor)

    client.post(
        event_page(tokyo),
        sent_back(
            client, event_page(tokyo), "event_form", **{"sessions-0-starts_at": "2022-10-26T10:00"}
        ),
    )

    session.refresh_from_db()
    assert session.starts_at == datetime.datetime(2022, 10, 26, 10, 0, tzinfo=TOKYO)
    assert body_time_zone(client.get(event_page(tokyo)).content.decode()) == "Asia/Tokyo"


def test_a_new_event_s_sessions_are_read_in_the_time_zone_chosen_for_it(client, editor):
    client.force_login(editor)
    form = sent_back(client, reverse("admin:conference_event_add"), "event_form")
    assert "上で選ぶタイムゾーンの時刻として読み取ります" in (
        client.get(reverse("admin:conference_event_add")).content.decode()
    )

    response = client.post(
        reverse("admin:conference_event_add"),
        form
        | {
            "name": "KubeCon NA 2022",
            "city": "Detroit",
            "starts_on": "2022-10-24",
            "ends_on": "2022-10-28",
            "time_zone": "America/Detroit",
            "sessions-TOTAL_FORMS": "1",
            "sessions-0-title": "Keynote",
            "sessions-0-kind": "keynote",
            "sessions-0-starts_at": "2022-10-26T09:00",
        },
    )

    assert response.status_code == 302
    assert Session.objects.get().starts_at == datetime.datetime(2022, 10, 26, 9, 0, tzinfo=DETROIT)


def test_a_new_event_with_no_time_zone_of_this_world_writes_nothing(client, editor):
    client.force_login(editor)
    form = sent_back(client, reverse("admin:conference_event_add"), "event_form")

    response = client.post(
        reverse("admin:conference_event_add"),
        form
        | {
            "name": "KubeCon NA 2022",
            "city": "Detroit",
            "starts_on": "2022-10-24",
            "ends_on": "2022-10-28",
            "time_zone": "America/Motown",
            "sessions-TOTAL_FORMS": "1",
            "sessions-0-title": "Keynote",
            "sessions-0-kind": "keynote",
            "sessions-0-starts_at": "2022-10-26T09:00",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["time_zone"] == [
        "「America/Motown」は America/Detroit や Asia/Tokyo のようなタイムゾーン名ではありません。"
    ]
    assert (Event.objects.count(), Session.objects.count()) == (0, 0)
    # What was typed comes back as typed.
    assert input_value(response.content.decode(), "sessions-0-starts_at") == "2022-10-26T09:00"


def test_changing_the_time_zone_keeps_each_session_s_moment_and_says_so(client, editor, detroit):
    moment = datetime.datetime(2022, 10, 26, 10, 0, tzinfo=DETROIT)
    session = make_session(detroit, starts_at=moment)
    make_session(detroit, starts_at=moment + datetime.timedelta(hours=2))
    make_session(detroit)  # no time: nothing to say about it
    client.force_login(editor)

    response = client.post(
        event_page(detroit),
        sent_back(client, event_page(detroit), "event_form", time_zone="America/Chicago"),
        follow=True,
    )

    session.refresh_from_db()
    assert session.starts_at == moment
    assert (
        "タイムゾーンを America/Detroit から America/Chicago に変えました。時刻のある 2 件の"
        "セッションは、どれも同じ時点のまま新しいタイムゾーンの時刻で表示されます（最初の"
        "セッションでは 2022-10-26 10:00 EDT が 2022-10-26 09:00 CDT）。新しいタイムゾーン"
        "の時刻のつもりで入力した時刻があれば、直してください。"
    ) in messages_of(response)


def test_the_time_zone_s_help_says_what_changing_it_does(client, editor, detroit):
    client.force_login(editor)

    page = client.get(event_page(detroit)).content.decode()

    assert "あとで変えてもセッションは動きません。どれも同じ時点のまま" in page


# --- A session's page ----------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "in_tokyo"), DAYS)
def test_a_time_typed_on_the_session_page_is_on_the_event_s_clock(
    client, editor, detroit, day, in_tokyo
):
    session = make_session(detroit, title="Istio Today and Tomorrow")
    client.force_login(editor)

    response = client.post(
        session_page(session),
        sent_back(
            client,
            session_page(session),
            "session_form",
            starts_at_0=str(day),
            starts_at_1="10:00",
            ends_at_0=str(day),
            ends_at_1="10:35",
        ),
        follow=True,
    )

    assert response.status_code == 200
    session.refresh_from_db()
    assert session.starts_at == datetime.datetime.combine(day, datetime.time(10), DETROIT)
    assert session.starts_at.astimezone(TOKYO).timetuple()[:5] == in_tokyo
    # No word of another zone: the page read the times where the event is held.
    assert [m for m in messages_of(response) if "タイムゾーン" in m] == []
    page = client.get(session_page(session)).content.decode()
    assert (input_value(page, "starts_at_0"), input_value(page, "starts_at_1")) == (
        str(day),
        "10:00:00",
    )
    assert "開催地のタイムゾーン America/Detroit の時刻で入力・表示します。" in page
    assert body_time_zone(page) == "America/Detroit"


@pytest.mark.parametrize("opened_for_the_event", [True, False], ids=["from-event", "chosen"])
def test_a_new_session_s_times_are_on_its_event_s_clock(
    client, editor, detroit, opened_for_the_event
):
    add = reverse("admin:conference_session_add")
    url = f"{add}?event={detroit.pk}" if opened_for_the_event else add
    client.force_login(editor)
    form = sent_back(client, url, "session_form")

    response = client.post(
        url,
        form
        | {
            "event": str(detroit.pk),
            "title": "Keynote",
            "kind": "keynote",
            "starts_at_0": "2022-10-26",
            "starts_at_1": "10:00",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert Session.objects.get().starts_at == datetime.datetime(2022, 10, 26, 10, 0, tzinfo=DETROIT)


def test_a_new_session_page_names_its_event_s_zone_or_says_it_waits_for_one(
    client, editor, detroit
):
    add = reverse("admin:conference_session_add")
    client.force_login(editor)

    opened_for_the_event = client.get(f"{add}?event={detroit.pk}").content.decode()
    not_yet = client.get(add).content.decode()

    assert "開催地のタイムゾーン America/Detroit の時刻で入力・表示します。" in opened_for_the_event
    assert body_time_zone(opened_for_the_event) == "America/Detroit"
    assert "上で選ぶイベントの開催地のタイムゾーンの時刻として読み取ります。" in not_yet
    # The admin's note would name the site's zone, in which nothing is read: it is hidden.
    assert re.search(r'<body class="[^"]*\btimes-zone-unknown\b', not_yet)
    assert not re.search(r"\btimes-zone-unknown\b", opened_for_the_event.split("<body")[1][:300])


@pytest.mark.parametrize("event", ["", "999999"], ids=["missing", "unknown"])
def test_a_new_session_without_a_real_event_is_refused_before_any_time_is_read(
    client, editor, detroit, event
):
    add = reverse("admin:conference_session_add")
    client.force_login(editor)
    form = sent_back(client, add, "session_form")

    response = client.post(
        add,
        form
        | {
            "event": event,
            "title": "Keynote",
            "kind": "keynote",
            "starts_at_0": "2022-10-26",
            "starts_at_1": "10:00",
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["event"]
    assert Session.objects.count() == 0
    # The times come back as typed, in no zone yet.
    page = response.content.decode()
    assert (input_value(page, "starts_at_0"), input_value(page, "starts_at_1")) == (
        "2022-10-26",
        "10:00",
    )


def test_moving_a_session_to_an_event_elsewhere_keeps_its_moment_and_says_so(
    client, editor, detroit
):
    moment = datetime.datetime(2022, 10, 26, 10, 0, tzinfo=DETROIT)
    session = make_session(detroit, title="Istio Today and Tomorrow", starts_at=moment)
    tokyo = make_event(name="CloudNative Days", time_zone="Asia/Tokyo")
    client.force_login(editor)

    response = client.post(
        session_page(session),
        sent_back(client, session_page(session), "session_form", event=str(tokyo.pk)),
        follow=True,
    )

    session.refresh_from_db()
    assert (session.event, session.starts_at) == (tokyo, moment)
    assert (
        "時刻は、このページが表示していたタイムゾーン America/Detroit で読み取りました。"
        "CloudNative Days の開催地のタイムゾーンは Asia/Tokyo で、このセッションの開始は "
        "2022年10月26日 23:00 JST（現地時間） です。時刻を確かめてください。"
    ) in messages_of(response)


def test_the_session_list_shows_times_on_each_event_s_clock(client, editor, detroit):
    make_session(
        detroit, title="Istio", starts_at=datetime.datetime(2022, 10, 26, 10, 0, tzinfo=DETROIT)
    )
    client.force_login(editor)

    page = client.get(reverse("admin:conference_session_changelist")).content.decode()

    assert "2022年10月26日 10:00 EDT（現地時間）" in page


# --- Where readers and writers see it ------------------------------------------------------------


def test_a_time_typed_in_the_admin_is_the_time_readers_and_the_board_show(client, editor, detroit):
    session = make_session(detroit, title="Istio Today and Tomorrow")
    make_section(make_report(published=True, event=detroit), session=session)
    client.force_login(editor)
    client.post(
        session_page(session),
        sent_back(
            client,
            session_page(session),
            "session_form",
            starts_at_0="2022-10-26",
            starts_at_1="10:00",
        ),
    )

    public = client.get(session.get_absolute_url()).content.decode()
    board = client.get(reverse("admin:blog_coverage_board", args=[detroit.pk])).content.decode()

    assert (
        '<time datetime="2022-10-26T10:00:00-04:00">2022年10月26日 10:00 EDT（現地時間）</time>'
        in (public)
    )
    assert '<time datetime="2022-10-26T10:00:00-04:00">10:00</time>' in board


def test_a_new_session_opened_for_one_event_and_saved_to_another_says_where_it_was_read(
    client, editor, detroit
):
    tokyo = make_event(name="CloudNative Days", time_zone="Asia/Tokyo")
    url = f"{reverse('admin:conference_session_add')}?event={detroit.pk}"
    client.force_login(editor)
    form = sent_back(client, url, "session_form")

    response = client.post(
        url,
        form
        | {
            "event": str(tokyo.pk),
            "title": "Keynote",
            "kind": "keynote",
            "starts_at_0": "2022-10-26",
            "starts_at_1": "10:00",
        },
        follow=True,
    )

    # Read as the page said (Detroit's 10:00), and the save says so rather than nothing.
    session = Session.objects.get()
    assert (session.event, session.starts_at) == (
        tokyo,
        datetime.datetime(2022, 10, 26, 10, 0, tzinfo=DETROIT),
    )
    assert any(
        message.startswith("時刻は、このページが表示していたタイムゾーン America/Detroit")
        for message in messages_of(response)
    )
