"""Schedule import: iCalendar and pretalx JSON files, re-imports, refusals, command, admin."""

import datetime
import io
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from sessions.importing import (
    DroppedFate,
    ScheduleError,
    StalePlanError,
    import_schedule,
    plan_import,
)
from sessions.models import Session, SessionKind, SessionSpeaker, Speaker, name_key
from tests.factories import make_event, make_report, make_section, make_session, make_speaker

DATA = Path(__file__).parent / "data"
ICS = (DATA / "schedule.ics").read_bytes()
ICS_UPDATED = (DATA / "schedule-updated.ics").read_bytes()
JSON = (DATA / "schedule.json").read_bytes()
JSON_UPDATED = (DATA / "schedule-updated.json").read_bytes()
TOKYO = ZoneInfo("Asia/Tokyo")
UID = "@schedule.example.org"


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English; the site's own language is Japanese."""
    translation.activate("en")


@pytest.fixture
def kaigi(db):
    """The event the iCalendar test files are the schedule of."""
    return make_event(
        name="Cloud Native Kaigi Tokyo 2023",
        slug="cnk-2023",
        starts_on=datetime.date(2023, 6, 12),
        ends_on=datetime.date(2023, 6, 13),
        time_zone="Asia/Tokyo",
    )


@pytest.fixture
def platform_kaigi(db):
    """The event the pretalx test files are the schedule of."""
    return make_event(
        name="Platform Kaigi 2024",
        slug="platform-kaigi-2024",
        starts_on=datetime.date(2024, 3, 9),
        ends_on=datetime.date(2024, 3, 10),
        time_zone="Asia/Tokyo",
    )


def session(uid: str) -> Session:
    return Session.objects.with_speakers().get(schedule_uid=f"{uid}{UID}")


def bill(session: Session) -> list[tuple[str, str]]:
    return [(s.name, s.affiliation) for s in session.ordered_speakers]


def local(value: datetime.datetime) -> str:
    return value.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M")


def row_counts() -> dict:
    return {model: model.objects.count() for model in (Session, Speaker, SessionSpeaker)}


def snapshot() -> list:
    """Everything an import may write, to show that a refused one wrote nothing."""
    return [
        list(Session.objects.order_by("pk").values()),
        list(Speaker.objects.order_by("pk").values()),
        list(SessionSpeaker.objects.order_by("pk").values()),
    ]


# --- iCalendar -----------------------------------------------------------------------------------


def test_ics_import_creates_every_timed_session_with_its_details(kaigi):
    plan = import_schedule(kaigi, ICS)

    assert (plan.format, len(plan.creates), len(plan.updates), len(plan.unchanged)) == (
        "iCalendar",
        13,
        0,
        0,
    )
    assert Session.objects.filter(event=kaigi).count() == 13
    keynote = session("cnk-001")
    assert keynote.title == "Keynote: クラウドネイティブの10年とこれから"
    assert (keynote.kind, keynote.track, keynote.room) == (SessionKind.KEYNOTE, "", "Hall A")
    assert (local(keynote.starts_at), local(keynote.ends_at)) == (
        "2023-06-12 09:30",
        "2023-06-12 10:00",
    )
    assert bill(keynote) == [
        ("山田 太郎", "Example Cloud株式会社"),
        ("Jane Doe", "Example Foundation"),
    ]
    assert keynote.abstract == (
        "クラウドネイティブの歩みを振り返り、次の10年に向けた課題を語ります。\n"
        "A look back, and ahead."
    )
    assert keynote.schedule_url == "https://schedule.example.org/cnk2023/event/cnk-001"
    # A long Japanese line, folded over several physical lines in the file, comes back whole.
    upgrade = session("cnk-002")
    assert upgrade.abstract.startswith("Kubernetes のマイナーバージョンは年に3回リリースされ、")
    assert upgrade.abstract.endswith("素早く戻すための手順を紹介します。")
    assert "\n" not in upgrade.abstract and " " not in upgrade.abstract.replace("Kubernetes ", "")
    assert (upgrade.track, upgrade.kind) == ("Operations", SessionKind.SESSION)
    # Times in UTC, with DURATION, and floating (read in the event's time zone).
    mesh = session("cnk-003")
    assert (local(mesh.starts_at), local(mesh.ends_at)) == ("2023-06-12 11:15", "2023-06-12 11:55")
    assert bill(mesh) == [
        ("Alice Martin", "Mesh Works"),
        ("Bob Chen", "Mesh Works"),
        ("鈴木 一郎", "Example Cloud株式会社"),
    ]
    assert mesh.title == (
        "Service Mesh Without Sidecars: Lessons from Running Ambient Mode in Production for a Year"
    )
    cost = session("cnk-010")
    assert cost.ends_at - cost.starts_at == datetime.timedelta(minutes=35)
    assert local(session("cnk-011").starts_at) == "2023-06-13 14:00"
    talk = session("cnk-006")
    assert (talk.kind, talk.track) == (SessionKind.LIGHTNING_TALK, "Observability")
    assert bill(talk) == [("Dan Brown", "")]
    # "Jane  Doe" in the closing keynote is the Jane Doe of the opening one.
    assert bill(session("cnk-013")) == [("Jane Doe", "Example Foundation")]
    assert Speaker.objects.filter(name_key="jane doe").count() == 1
    assert Speaker.objects.count() == 16
    assert [(s.title, s.reason) for s in plan.skipped] == [
        ("Database Operators Deep Dive", "cancelled in the schedule"),
        ("Co-located: Kubernetes Community Day", "a whole day, not a session with a time"),
    ]


def test_ics_import_again_changes_nothing(kaigi):
    import_schedule(kaigi, ICS)
    before = snapshot()

    plan = import_schedule(kaigi, ICS)

    assert (len(plan.creates), len(plan.updates), len(plan.unchanged), plan.dropped) == (
        0,
        0,
        13,
        [],
    )
    assert not plan.changes_anything
    assert snapshot() == before


def test_ics_reimport_updates_in_place_and_reports_dropped_sessions(kaigi, editor):
    import_schedule(kaigi, ICS)
    ids = dict(Session.objects.values_list("schedule_uid", "pk"))
    covered = session("cnk-009")
    make_section(make_report(event=kaigi), session=covered)
    speakers_before = Speaker.objects.count()

    plan = import_schedule(kaigi, ICS_UPDATED)

    renamed = session("cnk-002")
    assert renamed.pk == ids[f"cnk-002{UID}"]
    assert renamed.title == "Kubernetes のアップグレードを止めない運用設計 2023年版"
    moved = session("cnk-004")
    assert (local(moved.starts_at), local(moved.ends_at)) == (
        "2023-06-12 15:00",
        "2023-06-12 15:40",
    )
    gitops = session("cnk-005")
    assert (gitops.room, local(gitops.starts_at)) == ("Hall A", "2023-06-12 14:00")
    platform = session("cnk-007")
    assert bill(platform) == [
        ("伊藤 さくら", "Platform Co."),
        ("Erik Larsen", "Platform Co."),
        ("Alex Kim", "Example Corp"),
    ]
    assert [(p.scheduled.uid, [c.label for c in p.changes]) for p in plan.updates] == [
        (f"cnk-002{UID}", ["title"]),
        (f"cnk-004{UID}", ["scheduled at", "ends at"]),
        (f"cnk-005{UID}", ["scheduled at", "ends at", "room"]),
        (f"cnk-007{UID}", ["speakers"]),
    ]
    assert [(d.session.title, d.fate) for d in plan.dropped] == [
        ("マルチクラスタ運用の落とし穴", DroppedFate.KEPT_IN_USE),
        ("SRE チームの立ち上げ方：最初の一年", DroppedFate.DELETED),
    ]
    # The covered session stays, with its section; the uncovered one is gone.
    assert Session.objects.filter(pk=covered.pk).exists()
    assert not Session.objects.filter(schedule_uid=f"cnk-012{UID}").exists()
    assert Session.objects.filter(event=kaigi).count() == 12
    assert sorted(Session.objects.values_list("pk", flat=True)) == sorted(
        pk for uid, pk in ids.items() if uid != f"cnk-012{UID}"
    )
    assert Speaker.objects.count() == speakers_before + 1
    assert [str(s) for s in plan.new_speakers] == ["Alex Kim (Example Corp)"]
    assert not SessionSpeaker.objects.filter(session__title="SRE チームの立ち上げ方：最初の一年")


def test_two_sessions_may_swap_titles(kaigi):
    import_schedule(kaigi, ICS)
    first, second = "GitOps at Scale with Argo CD", "Securing the Supply Chain with Sigstore"
    swapped = ICS.decode().replace(first, "@@").replace(second, first).replace("@@", second)

    plan = import_schedule(kaigi, swapped.encode())

    assert len(plan.updates) == 2
    assert (session("cnk-005").title, session("cnk-008").title) == (second, first)


def test_session_entered_by_hand_is_adopted_by_title_or_kept(kaigi):
    jane = make_speaker(name="JANE DOE", affiliation="")
    typed = make_session(kaigi, (jane,), title="Closing Keynote: Community and You")
    other = make_session(kaigi, title="懇親会")

    plan = import_schedule(kaigi, ICS)

    typed.refresh_from_db()
    assert typed.schedule_uid == f"cnk-013{UID}"
    assert [p.session for p in plan.updates] == [typed]
    assert [(d.session, d.fate) for d in plan.dropped] == [
        (other, DroppedFate.KEPT_ENTERED_BY_HAND)
    ]
    assert Session.objects.filter(pk=other.pk).exists()
    jane.refresh_from_db()
    # The same person, matched by name; the file gives the affiliation that was missing.
    assert (jane.name, jane.affiliation) == ("Jane Doe", "Example Foundation")
    assert Speaker.objects.filter(name_key="jane doe").count() == 1


# --- pretalx JSON ---------------------------------------------------------------------------------


def test_pretalx_import_and_reimport(platform_kaigi):
    plan = import_schedule(platform_kaigi, JSON)

    assert (plan.format, len(plan.creates)) == ("pretalx JSON", 7)
    keynote = Session.objects.with_speakers().get(title__startswith="基調講演")
    assert keynote.schedule_uid == "a1b2c3d4-0001-4000-8000-000000000101"
    assert (keynote.kind, keynote.track, keynote.room) == (SessionKind.KEYNOTE, "Keynote", "Hall")
    assert (local(keynote.starts_at), local(keynote.ends_at)) == (
        "2024-03-09 10:00",
        "2024-03-09 10:45",
    )
    assert keynote.schedule_url == "https://pretalx.example.org/platform-kaigi-2024/talk/A1B2C3/"
    assert keynote.abstract.startswith("社内プラットフォームの利用者は開発者です。")
    assert bill(keynote) == [
        ("山田 太郎", "Example Cloud株式会社"),
        ("Jane Doe", "Example Foundation"),
    ]
    assert [s.schedule_code for s in keynote.ordered_speakers] == ["YMDT42", "JDOE77"]
    lightning = Session.objects.get(title="LT: Terraform モジュールの命名規則")
    assert (lightning.kind, lightning.ends_at - lightning.starts_at) == (
        SessionKind.LIGHTNING_TALK,
        datetime.timedelta(minutes=5),
    )
    yamada = Speaker.objects.get(schedule_code="YMDT42")

    plan = import_schedule(platform_kaigi, JSON_UPDATED)

    assert Session.objects.filter(event=platform_kaigi).count() == 6
    assert Session.objects.filter(title="Golden Paths, Not Golden Cages").count() == 1
    backstage = Session.objects.with_speakers().get(title="Backstage 導入1年目の振り返り")
    assert local(backstage.starts_at) == "2024-03-09 14:00"
    assert [s.name for s in backstage.ordered_speakers] == [
        "森 真理子",
        "Liam O'Connor",
        "Olivia Brown",
    ]
    # Matched by the pretalx code although the name changed: still one person.
    yamada.refresh_from_db()
    assert yamada.name == "山田 太郎 (Taro Yamada)"
    assert Speaker.objects.filter(name__startswith="山田 太郎").count() == 1
    assert [(d.session.title, d.fate) for d in plan.dropped] == [
        ("Measuring Platform Adoption", DroppedFate.DELETED)
    ]


def test_a_person_across_events_is_one_speaker(kaigi, platform_kaigi):
    import_schedule(kaigi, ICS)
    jane = Speaker.objects.get(name="Jane Doe")

    plan = import_schedule(platform_kaigi, JSON)

    assert Speaker.objects.filter(name_key="jane doe").get() == jane
    jane.refresh_from_db()
    assert jane.schedule_code == "JDOE77"
    assert "Jane Doe" not in [s.name for s in plan.new_speakers]
    assert sorted(jane.sessions.values_list("event__slug", flat=True)) == [
        "cnk-2023",
        "cnk-2023",
        "platform-kaigi-2024",
        "platform-kaigi-2024",
    ]


def test_name_key_ignores_case_width_and_spacing():
    assert name_key("Ｌｉｎ　Ｓｕｎ") == name_key(" lin   SUN ") == "lin sun"
    assert name_key("山田 太郎") != name_key("山田 次郎")


# --- Refused files --------------------------------------------------------------------------------


def ics_with(old: str, new: str) -> bytes:
    text = ICS.decode()
    assert old in text
    return text.replace(old, new, 1).encode()


def line_of(content: bytes, needle: str) -> int:
    """The line of the VEVENT that contains `needle`."""
    text = content.decode()
    before = text[: text.index(needle)]
    return before[: before.rfind("BEGIN:VEVENT")].count("\n") + 1


def first_japanese_line(content: bytes) -> int:
    return next(n for n, line in enumerate(content.decode().splitlines(), 1) if not line.isascii())


def pretalx_with(old: str, new: str) -> bytes:
    text = JSON.decode()
    assert old in text
    return text.replace(old, new, 1).encode()


BAD_DTSTART = ics_with(
    "DTSTART;TZID=Asia/Tokyo:20230613T110000", "DTSTART;TZID=Asia/Tokyo:20230613T1100XX"
)
ENDS_EARLY = ics_with(
    "DTEND;TZID=Asia/Tokyo:20230612T144000", "DTEND;TZID=Asia/Tokyo:20230612T130000"
)
NO_SUMMARY = ics_with("SUMMARY:Securing the Supply Chain with Sigstore\r\n", "")
MARS = ics_with(
    "DTSTART;TZID=Asia/Tokyo:20230613T150000", "DTSTART;TZID=Mars/Olympus:20230613T150000"
)
WRONG_YEAR = ics_with(
    "DTSTART;TZID=Asia/Tokyo:20230612T160000\r\nDTEND;TZID=Asia/Tokyo:20230612T164000",
    "DTSTART;TZID=Asia/Tokyo:20240612T160000\r\nDTEND;TZID=Asia/Tokyo:20240612T164000",
)
SAME_UID = ics_with("UID:cnk-005@schedule.example.org", "UID:cnk-004@schedule.example.org")
NO_END = ics_with("DTEND;TZID=Asia/Tokyo:20230613T104000\r\n", "")

REFUSED = {
    "not a schedule": (
        b"<!doctype html><title>Schedule</title>",
        [
            "This is not a schedule: an iCalendar file starts with BEGIN:VCALENDAR and a "
            "pretalx schedule.json with \u201c{\u201d."
        ],
    ),
    "an image": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        ["Line 1: the file is not UTF-8 text (save it as UTF-8 and try again)."],
    ),
    "Shift_JIS": (
        ICS.decode().encode("cp932"),
        [
            f"Line {first_japanese_line(ICS)}: "
            "the file is not UTF-8 text (save it as UTF-8 and try again)."
        ],
    ),
    "cut short": (
        ICS[: len(ICS) // 2],
        ["The calendar is cut short: its last line, END:VCALENDAR, is missing."],
    ),
    "a bad date": (
        BAD_DTSTART,
        [
            f"Line {line_of(BAD_DTSTART, '20230613T1100XX')} (“マルチクラスタ運用の落とし穴”): "
            "DTSTART cannot be read: Wrong datetime format: 20230613T1100XX"
        ],
    ),
    "ends before it starts": (
        ENDS_EARLY,
        [
            f"Line {line_of(ENDS_EARLY, 'T130000')} (“eBPF で見るネットワークの遅延”): "
            "it ends before it starts."
        ],
    ),
    "no title": (NO_SUMMARY, [f"Line {line_of(NO_SUMMARY, 'cnk-008')}: SUMMARY is missing."]),
    "no end": (
        NO_END,
        [
            f"Line {line_of(NO_END, 'cnk-008')} (“Securing the Supply Chain with Sigstore”): "
            "it has neither DTEND nor DURATION."
        ],
    ),
    "an unknown time zone": (
        MARS,
        [
            f"Line {line_of(MARS, 'Mars/Olympus')} (“SRE チームの立ち上げ方：最初の一年”): "
            "DTSTART names a time zone this site does not know: Mars/Olympus"
        ],
    ),
    "another event's dates": (
        WRONG_YEAR,
        [
            f"Line {line_of(WRONG_YEAR, '20240612T160000')} (“Platform Engineering: "
            "開発者体験をプロダクトとして育てる”): it is on 2024-06-12, outside the event's days "
            "(2023-06-12 to 2023-06-13). Is this the schedule of another event?"
        ],
    ),
    "a UID twice": (
        SAME_UID,
        [
            f"Line {line_of(SAME_UID, 'SUMMARY:GitOps')} (“GitOps at Scale with Argo CD”): "
            f"UID is the same as at Line {line_of(SAME_UID, 'SUMMARY:eBPF')}."
        ],
    ),
    "broken JSON": (
        b'{\n  "schedule": {\n    "conference": [,\n}',
        ["Line 3, column 20: this is not valid JSON (Expecting value)."],
    ),
    "JSON that is no schedule": (
        b'{"events": []}',
        [
            "This JSON file is not a pretalx or frab schedule: it has no schedule \u2192 "
            "conference \u2192 days."
        ],
    ),
    "pretalx entries broken": (
        pretalx_with('"title": "Golden Paths Without Golden Cages"', '"title": ""')
        .replace(b'"duration": "00:40"', b'"duration": "forty minutes"')
        .replace(b'"2024-03-10T11:00:00+09:00"', b'"2024-03-10 eleven"'),
        [
            "days[0].rooms[“Hall”][1]: title is missing.",
            "days[1].rooms[“Hall”][0] (“Self-Service Databases on Kubernetes”): duration is not "
            "hours and minutes such as 00:35: forty minutes",
            "days[1].rooms[“Room 1”][0] (“Measuring Platform Adoption”): date is not a date and "
            "time: 2024-03-10 eleven",
        ],
    ),
}


@pytest.mark.parametrize("content, problems", REFUSED.values(), ids=REFUSED.keys())
def test_broken_file_is_refused_with_its_message_and_nothing_saved(kaigi, content, problems):
    before = snapshot()

    with pytest.raises(ScheduleError) as refused:
        import_schedule(kaigi, content)

    assert refused.value.problems == problems
    assert snapshot() == before


def test_broken_update_of_an_imported_schedule_changes_nothing(kaigi):
    import_schedule(kaigi, ICS)
    before = snapshot()
    # Valid in every entry but the last: the renamed and moved sessions stay as they were.
    broken = ICS_UPDATED.decode().replace("DTEND;TZID=Asia/Tokyo:20230613T173000", "DTEND:2023")

    with pytest.raises(ScheduleError, match="DTEND cannot be read"):
        import_schedule(kaigi, broken.encode())

    assert snapshot() == before
    assert row_counts() == {Session: 13, Speaker: 16, SessionSpeaker: 17}


def test_a_fifty_megabyte_file_is_refused_before_it_is_read(kaigi):
    content = ICS + b" " * (50 * 1024 * 1024)

    with pytest.raises(ScheduleError) as refused:
        import_schedule(kaigi, content)

    assert refused.value.problems == [
        "The file is larger than 5.0\xa0MB, the most a schedule may be."
    ]
    assert Session.objects.count() == 0


def test_stale_plan_is_refused_and_nothing_written(kaigi):
    digest = plan_import(kaigi, ICS).digest
    make_session(kaigi, title="Closing Keynote: Community and You")  # typed in meanwhile

    with pytest.raises(StalePlanError) as stale:
        import_schedule(kaigi, ICS, expected_digest=digest)

    assert Session.objects.count() == 1
    assert len(stale.value.plan.updates) == 1
    import_schedule(kaigi, ICS, expected_digest=stale.value.plan.digest)
    assert Session.objects.count() == 13


# --- The command ---------------------------------------------------------------------------------


def test_command_prints_the_plan_and_imports(kaigi):
    out = io.StringIO()

    call_command("import_schedule", "cnk-2023", str(DATA / "schedule.ics"), stdout=out)

    lines = out.getvalue().splitlines()
    assert (
        lines[0] == "Schedule (iCalendar) for Cloud Native Kaigi Tokyo 2023, times in Asia/Tokyo:"
    )
    assert "  create  Keynote: クラウドネイティブの10年とこれから" in lines
    assert "  new speaker     Jane Doe (Example Foundation)" in lines
    assert lines[-1] == (
        "Imported: 13 to create, 0 to update, 0 unchanged, 2 skipped, 0 no longer in the "
        "schedule (0 to delete); 16 new speakers."
    )
    assert Session.objects.count() == 13


def test_command_dry_run_writes_nothing(kaigi):
    import_schedule(kaigi, ICS)
    before = snapshot()
    out = io.StringIO()

    call_command(
        "import_schedule", "cnk-2023", str(DATA / "schedule-updated.ics"), "--dry-run", stdout=out
    )

    lines = out.getvalue().splitlines()
    assert (
        "          title: Kubernetes のアップグレードを止めないための運用設計 → "
        "Kubernetes のアップグレードを止めない運用設計 2023年版" in lines
    )
    assert (
        "  dropped SRE チームの立ち上げ方：最初の一年: deleted: it came from an earlier import "
        "and is unused"
    ) in lines
    assert lines[-1] == "Dry run: nothing was written."
    assert snapshot() == before


def run_command(monkeypatch, *args: str) -> int:
    """The command as `manage.py` runs it: a refusal exits with a status, not a traceback."""
    # run_from_argv() closes every database connection when done, the test's own too.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "import_schedule", *args]).execute()
    return exited.value.code


def test_command_exits_non_zero_with_the_message_on_a_refused_file(
    kaigi, tmp_path, capsys, monkeypatch
):
    broken = tmp_path / "broken.ics"
    broken.write_bytes(NO_SUMMARY)

    status = run_command(monkeypatch, "cnk-2023", str(broken))

    err = capsys.readouterr().err
    assert status == 1
    assert f"Line {line_of(NO_SUMMARY, 'cnk-008')}: SUMMARY is missing." in err
    assert "was not imported, nothing changed" in err
    assert Session.objects.count() == 0


def test_command_refuses_an_unknown_event_and_a_missing_file(kaigi, tmp_path):
    with pytest.raises(CommandError, match="There is no event with the slug “nope”"):
        call_command("import_schedule", "nope", str(DATA / "schedule.ics"))
    with pytest.raises(CommandError, match="cannot be read: No such file or directory"):
        call_command("import_schedule", "cnk-2023", str(tmp_path / "missing.ics"))


def test_command_refuses_a_file_over_the_limit(kaigi, tmp_path, settings):
    settings.SCHEDULE_IMPORT_MAX_BYTES = 1000
    big = tmp_path / "big.ics"
    big.write_bytes(ICS)

    with pytest.raises(CommandError, match="larger than 1000"):
        call_command("import_schedule", "cnk-2023", str(big))
    assert Session.objects.count() == 0


# --- The admin ------------------------------------------------------------------------------------


@pytest.fixture
def client(client):
    """The admin in English, as the messages are checked in English."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def import_url(event) -> str:
    return reverse("admin:conference_event_import_schedule", args=[event.pk])


def upload(client, event, content: bytes, name: str = "schedule.ics"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(import_url(event), {"file": file})


def confirm_fields(response) -> dict:
    html = response.content.decode()
    return {
        name: re.search(rf'name="{name}" value="([^"]+)"', html).group(1)
        for name in ("token", "digest")
    }


def test_editor_uploads_sees_the_plan_and_confirms(client, editor, kaigi):
    client.force_login(editor)
    change_page = client.get(reverse("admin:conference_event_change", args=[kaigi.pk]))
    assert import_url(kaigi) in change_page.content.decode()

    preview = upload(client, kaigi, ICS, name="whatever-it-is-called.txt")

    assert preview.status_code == 200
    page = preview.content.decode()
    assert "13 to create, 0 to update" in page
    assert "Keynote: クラウドネイティブの10年とこれから" in page
    assert "2023-06-12 11:15–11:55" in page  # in the event's time zone, not the site's
    assert "Database Operators Deep Dive" in page
    assert Session.objects.count() == 0  # nothing before the confirmation

    done = client.post(import_url(kaigi), confirm_fields(preview), follow=True)

    assert done.redirect_chain[-1][0] == reverse("admin:conference_event_change", args=[kaigi.pk])
    assert "The schedule was imported: 13 to create" in done.content.decode()
    assert Session.objects.filter(event=kaigi).count() == 13


def test_confirming_twice_imports_once(client, editor, kaigi):
    client.force_login(editor)
    fields = confirm_fields(upload(client, kaigi, ICS))
    client.post(import_url(kaigi), fields)
    before = snapshot()

    again = client.post(import_url(kaigi), fields, follow=True)

    assert "This plan is no longer waiting to be imported" in again.content.decode()
    assert snapshot() == before


def test_a_stale_plan_is_shown_again_and_not_written(client, editor, kaigi):
    client.force_login(editor)
    fields = confirm_fields(upload(client, kaigi, ICS))
    make_session(kaigi, title="Closing Keynote: Community and You")

    stale = client.post(import_url(kaigi), fields)

    page = stale.content.decode()
    assert "The sessions or the file changed since the plan was shown" in page
    assert "12 to create, 1 to update" in page
    assert Session.objects.count() == 1
    client.post(import_url(kaigi), confirm_fields(stale))
    assert Session.objects.count() == 13


def test_a_broken_upload_shows_its_problems_and_saves_nothing(client, editor, kaigi):
    client.force_login(editor)

    response = upload(client, kaigi, NO_SUMMARY)

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Line {line_of(NO_SUMMARY, 'cnk-008')}: SUMMARY is missing." in page
    assert 'name="token"' not in page
    assert Session.objects.count() == 0


def test_a_broken_upload_is_explained_in_japanese(client, editor, kaigi):
    client.force_login(editor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ja"

    response = upload(client, kaigi, NO_SUMMARY)

    line = line_of(NO_SUMMARY, "cnk-008")
    assert f"{line} 行目: SUMMARY がありません。" in response.content.decode()
    assert Session.objects.count() == 0


def test_an_upload_over_the_limit_is_refused(client, editor, kaigi, settings):
    settings.SCHEDULE_IMPORT_MAX_BYTES = 1000
    client.force_login(editor)

    response = upload(client, kaigi, ICS)

    assert "The file is larger than 1000\xa0bytes" in response.content.decode()
    assert Session.objects.count() == 0


def test_a_writer_may_not_import(client, author, kaigi):
    client.force_login(author)

    assert client.get(import_url(kaigi)).status_code == 403
    assert upload(client, kaigi, ICS).status_code == 403
    assert Session.objects.count() == 0
    change_page = client.get(reverse("admin:conference_event_change", args=[kaigi.pk]))
    assert import_url(kaigi) not in change_page.content.decode()


@pytest.mark.parametrize(
    "persona, allowed",
    [("editor", True), ("superuser", True), ("author", False), ("outsider", False)],
)
def test_import_permission(db, request, persona, allowed):
    user = request.getfixturevalue(persona)
    assert user.has_perm("conference.import_schedule") is allowed


def test_the_importer_knows_nothing_of_the_blog():
    """sessions/ is the lower layer: only its public pages read published reports."""
    sources = Path(__file__).parent.parent / "sessions"
    importing_blog = sorted(
        path.relative_to(sources).as_posix()
        for path in sources.rglob("*.py")
        if re.search(r"^\s*(from|import) blog\b", path.read_text(), re.MULTILINE)
    )
    assert importing_blog == ["views.py"]


# --- The demo ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_sessions_typed_in_before_are_the_rows_the_import_updates():
    """A database loaded by an older demo (sessions typed in, no UID) keeps its rows."""
    from blog.models import Section
    from demo import content
    from demo.loader import load_demo

    event = make_event(slug="kubecon-na-2022", name="KubeCon + CloudNativeCon North America 2022")
    lin = make_speaker(name="Lin Sun", slug="lin-sun", affiliation="Solo.io")
    istio = make_session(event, (lin,), title=content.ISTIO)

    load_demo()

    istio.refresh_from_db()
    event.refresh_from_db()
    assert event.time_zone == "America/Detroit"
    assert istio.schedule_uid == "kccnc-istio@kccncna2022.demo.invalid"
    assert istio.room == "Room 140 A-F"
    assert Speaker.objects.filter(name="Lin Sun").get() == lin
    assert Session.objects.filter(event=event).count() == 15
    sections = Section.objects.filter(report__slug="kubecon-na-2022", session__isnull=False)
    assert sorted(s.session.title for s in sections) == sorted(content.COVERED_SESSIONS)
    assert sections.get(position=1).session == istio
