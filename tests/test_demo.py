"""The demo loader: `manage.py load_demo` and `demo.loader.load_demo()`."""

import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from blog.models import (
    AuthorProfile,
    Photo,
    Report,
    ReportStatus,
    Section,
    SectionStatus,
    Tag,
    display_name_of,
)
from demo import content, pictures
from demo.loader import load_demo
from sessions.models import Event, EventFormat, Session, SessionKind, SessionSpeaker, Speaker

SESSION_TITLES = [
    "Istio Today and Tomorrow: Sidecars and Beyond",
    "Cloud Governance With Infrastructure As Code (IaC) With Kyverno And Crossplane",
    "“Why Can’t Kubernetes Devs Just Add This New Feature? Seems So Easy!” - "
    "Understanding the Feature Lifecycle In Kubernetes",
    "Security In the Cloud With Falco: Overview And Project Updates",
    "Migrating From Single-Node Kubernetes Control Plane To HA In Production",
    "When the Logs Just Don’t Cut It: Root-Causing Incidents Without Re-Deploying Prod",
    "Cloud-Native WebAssembly: Containerization On the Edge",
]
SECTION_AUTHORS = [
    "yamamoto",
    "sato",
    "suzuki",
    "takahashi",
    "tanaka",
    "ito",
    "watanabe",
    "yamamoto",
]
FIGURES_PER_SECTION = [1, 2, 0, 2, 1, 1, 2, 0]
WRITERS = ["sato", "suzuki", "takahashi", "tanaka", "ito", "watanabe", "yamamoto"]


@pytest.fixture(scope="module")
def accounts(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module and rolled back after its last test.

    Loading takes a few seconds (every photo goes through the image pipeline), so the
    tests share one load; each test still runs in its own savepoint inside it.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield load_demo()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def media_files() -> set[Path]:
    return {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}


@pytest.mark.django_db
def test_event(accounts):
    event = Event.objects.get(slug="kubecon-na-2022")
    assert event.name == "KubeCon + CloudNativeCon North America 2022"
    assert (event.city, event.venue) == ("Detroit, Michigan, USA", "Huntington Place")
    assert (event.starts_on.isoformat(), event.ends_on.isoformat()) == ("2022-10-24", "2022-10-28")
    assert event.format == EventFormat.HYBRID
    assert event.website == ""
    assert event.time_zone == "America/Detroit"
    assert "デトロイト" in event.description


@pytest.mark.django_db
def test_sessions_come_from_the_schedule_file_with_speakers_in_billed_order(accounts):
    event = Event.objects.get(slug="kubecon-na-2022")
    sessions = {s.title: s for s in Session.objects.filter(event=event).with_speakers()}
    assert len(sessions) == 15
    assert set(SESSION_TITLES) < set(sessions)
    assert all(
        session.schedule_uid.endswith("@kccncna2022.demo.invalid") for session in sessions.values()
    )
    assert {sessions[title].kind for title in SESSION_TITLES} == {SessionKind.SESSION}
    assert {s.kind for s in sessions.values()} == set(SessionKind)

    def bill(title):
        return [(sp.name, sp.affiliation) for sp in sessions[title].ordered_speakers]

    assert bill(SESSION_TITLES[0]) == [("Lin Sun", "Solo.io"), ("Mitch Connors", "Google")]
    assert bill(SESSION_TITLES[1]) == [("Dolis Sharma", "Nirmata")]
    assert bill(SESSION_TITLES[2]) == [("Ricardo Katz", "VMware"), ("Carlos Panato", "Chainguard")]
    assert bill(SESSION_TITLES[3]) == [("Jason Dellaluce", "Sysdig"), ("Luca Guerra", "Sysdig")]
    assert bill(SESSION_TITLES[4]) == [
        ("Cong Yue", "Databricks"),
        ("David Oppenheimer", "Databricks"),
    ]
    assert bill(SESSION_TITLES[5]) == []
    assert bill(SESSION_TITLES[6]) == [("Michael Yuan", "Second State")]
    assert sessions[SESSION_TITLES[4]].track == "Reliability + Operational Continuity"
    assert {sessions[title].track for title in SESSION_TITLES if title != SESSION_TITLES[4]} == {""}
    istio = sessions[SESSION_TITLES[0]]
    detroit = istio.starts_at.astimezone(event.zone)
    assert (detroit.isoformat(), istio.ends_at - istio.starts_at) == (
        "2022-10-26T11:55:00-04:00",
        datetime.timedelta(minutes=35),
    )
    assert istio.room == "Room 140 A-F"
    assert istio.abstract.startswith("サイドカーに頼らない")
    assert Speaker.objects.get(slug="lin-sun").name == "Lin Sun"
    assert Speaker.objects.filter(name="Jordan Blake").count() == 1  # two keynotes, one person
    assert list(
        SessionSpeaker.objects.filter(session=sessions[SESSION_TITLES[0]])
        .order_by("position")
        .values_list("position", flat=True)
    ) == [0, 1]


@pytest.mark.django_db
def test_report_is_published_with_sections_in_order(accounts):
    report = Report.objects.published().get(slug="kubecon-na-2022")
    assert report.title == "KubeCon + CloudNativeCon North America 2022 参加レポート"
    assert report.status == ReportStatus.PUBLISHED
    assert report.published_at.isoformat() == "2022-12-01T01:00:00+00:00"
    assert report.event.slug == "kubecon-na-2022"
    assert sorted(report.tags.values_list("name", flat=True)) == sorted(content.TAGS)
    assert list(report.editors.values_list("username", flat=True)) == ["editor"]
    assert report.lead_html and report.closing_html
    assert "最後に" not in report.closing
    assert 'href="https://example.com/careers"' in report.closing_html

    sections = list(report.sections.select_related("session", "author__author_profile"))
    assert [s.position for s in sections] == list(range(8))
    assert [s.author.username for s in sections] == SECTION_AUTHORS
    assert (sections[0].heading, sections[0].session) == ("イベント概要", None)
    assert [s.session.title for s in sections[1:]] == SESSION_TITLES
    assert {s.heading for s in sections[1:]} == {""}
    for section in sections:
        assert section.status == SectionStatus.APPROVED
        assert section.author_team == section.author.author_profile.team
        assert section.body_html
        assert "<h1" not in section.body_html and "<h2" not in section.body_html
    features = sections[3].body_html
    assert 'href="https://github.com/kubernetes/kubectl/issues/524"' in features
    assert 'href="https://github.com/kubernetes-sigs"' in features
    assert "keps/README.md" in features
    assert "<pre" in sections[6].body_html  # the bpftrace trial


@pytest.mark.django_db
def test_every_author_is_a_writer_of_their_report_and_approvals_hold(accounts):
    from blog import membership, workflow
    from blog.models import Report

    for report in Report.objects.all():
        authors = set(report.sections.values_list("author__username", flat=True))
        assert set(report.writers.values_list("username", flat=True)) == authors
    published = Report.objects.get(slug=content.REPORT["slug"])
    assert workflow.publication_blockers(published) == []
    in_no_open_report = sorted(
        account.username
        for account in content.ACCOUNTS
        if account.role == "writer"
        and not membership.open_reports_for(get_user_model().objects.get(username=account.username))
    )
    assert in_no_open_report == ["ito", "watanabe", "yamamoto"]


@pytest.mark.django_db
def test_accounts_sign_in_with_their_roles(accounts):
    assert [(a.username, a.password, a.role) for a in accounts] == [
        ("admin", "kubecon-admin", "admin"),
        ("editor", "kubecon-editor", "editor"),
        *[(name, "kubecon-writer", "writer") for name in WRITERS],
    ]
    users = {u.username: u for u in get_user_model().objects.prefetch_related("groups")}
    assert len(users) == 9
    for account in accounts:
        user = users[account.username]
        assert user.is_staff and user.is_active
        assert user.check_password(account.password)
        assert user.is_superuser == (account.role == "admin")
    assert [g.name for g in users["admin"].groups.all()] == []
    assert [g.name for g in users["editor"].groups.all()] == ["Editors"]
    for name in WRITERS:
        assert [g.name for g in users[name].groups.all()] == ["Writers"]
    editor = AuthorProfile.objects.get(user__username="editor")
    assert (editor.display_name, editor.team) == ("編集 花子", "技術広報")
    sato = AuthorProfile.objects.get(user__username="sato")
    assert (sato.display_name, sato.team) == ("佐藤 健", "SRE部 ECプラットフォーム基盤SREブロック")
    assert AuthorProfile.objects.filter(user__username__in=WRITERS).count() == 7


@pytest.mark.django_db
def test_photos_have_captions_and_renditions(accounts):
    report = Report.objects.get(slug="kubecon-na-2022")
    gallery = list(report.photos.filter(in_gallery=True).order_by("position"))
    assert [p.position for p in gallery] == list(range(6))
    assert all(p.section_id is None for p in gallery)
    assert "カナダ" in gallery[0].caption and "River Walk" in gallery[0].caption
    assert "ツナサラダ" in gallery[1].caption
    assert "7人" in gallery[5].caption

    sections = list(report.sections.order_by("position"))
    figures = [list(s.photos.order_by("position")) for s in sections]
    assert [len(f) for f in figures] == FIGURES_PER_SECTION
    assert not any(p.in_gallery for f in figures for p in f)
    assert figures[0][0].credit_text == "撮影: 山本 拓也"
    assert [p.credit_text for p in figures[1]] == ["出典: Lin Sun, Mitch Connors の講演資料"] * 2
    assert {p.credit_url for p in figures[1] + figures[3] + figures[4] + figures[5]} == {
        "https://kccncna2022.sched.com/"
    }
    assert [(p.credit_text, p.credit_url) for p in figures[6]] == [("撮影: 渡辺 陽菜", "")] * 2

    for photo in report.photos.all():
        assert photo.alt_text and photo.caption
        assert (photo.width, photo.height) == (pictures.WIDTH, pictures.HEIGHT)
        assert photo.renditions
        assert {r["format"] for r in photo.renditions} == {"webp", "jpeg"}
        storage = photo.image.storage
        assert storage.exists(photo.image.name)
        assert all(storage.exists(r["name"]) for r in photo.renditions)


@pytest.mark.django_db
def test_loading_twice_changes_nothing(accounts):
    models = [
        Report,
        Section,
        Photo,
        get_user_model(),
        Speaker,
        Session,
        SessionSpeaker,
        Event,
        Tag,
        AuthorProfile,
    ]
    counts = {model: model.objects.count() for model in models}
    versions = dict(Section.objects.values_list("pk", "version"))
    images = dict(Photo.objects.values_list("pk", "image"))
    files = media_files()

    assert load_demo() == accounts

    assert {model: model.objects.count() for model in models} == counts
    assert dict(Section.objects.values_list("pk", "version")) == versions
    assert dict(Photo.objects.values_list("pk", "image")) == images
    assert media_files() == files


@pytest.mark.django_db
def test_loading_again_keeps_what_was_changed_on_the_demo_site(accounts):
    section = Section.objects.get(report__slug="kubecon-learnings-at-home", position=0)
    section.body = "デモサイトで書き足した本文"
    section.save()
    writer = get_user_model().objects.get(username="sato")
    writer.set_password("my-own-password")
    writer.save()

    load_demo()

    section.refresh_from_db()
    writer.refresh_from_db()
    assert section.body == "デモサイトで書き足した本文"
    assert writer.check_password("my-own-password")


@pytest.mark.django_db
def test_refresh_brings_the_demo_text_and_passwords_back(accounts):
    section = Section.objects.get(report__slug="kubecon-learnings-at-home", position=0)
    original = section.body
    section.body = "デモサイトで書き足した本文"
    section.save()
    writer = get_user_model().objects.get(username="sato")
    writer.set_password("my-own-password")
    writer.save()

    load_demo(refresh=True)

    section.refresh_from_db()
    writer.refresh_from_db()
    assert section.body == original
    assert writer.check_password("kubecon-writer")


@pytest.mark.django_db
def test_command_prints_the_accounts_table():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    lines = out.getvalue().splitlines()
    start = lines.index("| user | password | role |")
    assert lines[start + 2 : start + 4] == [
        "| admin | kubecon-admin | admin |",
        "| editor | kubecon-editor | editor |",
    ]
    assert len(lines[start + 2 :]) == 9


def test_every_picture_is_drawn_the_same_way_twice():
    used = {p.picture for s in content.SECTIONS for p in s.photos} | {
        p.picture for p in content.GALLERY
    }
    assert used == set(pictures.PICTURES)
    assert pictures.jpeg("river") == pictures.jpeg("river")


@pytest.mark.django_db
def test_demo_report_went_through_the_workflow(accounts):
    report = Report.objects.get(slug="kubecon-na-2022")

    transitions = [(t.action, t.actor.username) for t in report.sections.first().transitions.all()]
    assert transitions == [("submit", "yamamoto"), ("approve", "editor")]
    trail = [(t.action, t.actor.username, t.subject) for t in report.transitions.all()]
    writers = [("add_writer", "editor", display_name_of(user)) for user in report.writers.all()]
    assert sorted(trail[:-1]) == sorted(writers)
    assert trail[-1] == ("publish", "editor", "")


@pytest.mark.django_db
def test_demo_has_a_report_in_progress_in_every_review_state(accounts):
    report = Report.objects.get(slug="kubecon-learnings-at-home")
    sections = list(report.sections.select_related("author", "reviewer"))

    assert report.status == ReportStatus.DRAFT
    assert [(s.author.username, s.status) for s in sections] == [
        ("sato", "draft"),
        ("suzuki", "changes_requested"),
        ("takahashi", "in_review"),
        ("tanaka", "approved"),
    ]
    assert sections[2].reviewer.username == "editor"
    request = sections[1].transitions.get(action="request_changes")
    assert request.comment.startswith("Kyverno のポリシー例を一つ載せると")
    assert list(Report.objects.published()) == [Report.objects.get(slug="kubecon-na-2022")]


@pytest.mark.django_db
def test_loaded_texts_have_a_first_revision_to_compare_with(accounts):
    from reversion.models import Version

    sections = Section.objects.all()

    assert all(Version.objects.get_for_object(section).exists() for section in sections)
