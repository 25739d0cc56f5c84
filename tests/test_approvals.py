"""Approvals that hold: each finding of the approvals issue, reproduced as the person met it.

Each test does what the person did (a save with nothing changed, a writer reaching another
team's draft, a change made around the editor, two publishes) and checks that it no
longer does what it did.
"""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from reversion.models import Version

from blog import editing, workflow
from blog.enums import SectionAction, SectionStatus
from blog.models import (
    Photo,
    Report,
    ReportTransition,
    Section,
    SectionTransition,
    display_name_of,
)
from tests.factories import (
    make_event,
    make_photo,
    make_report,
    make_section,
    make_user,
    make_writer_of,
)
from tests.forms import form_values

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def report_url(report) -> str:
    return reverse("admin:blog_report_change", args=[report.pk])


def section_url(section) -> str:
    return reverse("admin:blog_section_change", args=[section.pk])


def approved_report(editor, *writers, title="承認済みの節が並ぶレポート"):
    """A draft report whose sections, one per writer, were submitted and approved."""
    report = make_report(title=title, lead="最初のリード文。")
    sections = []
    for position, writer in enumerate(writers):
        section = make_section(
            report,
            author=writer,
            position=position,
            heading=f"{writer.username} の節",
            body=f"{writer.username} が書いた一段落目。\n\n二段落目です。",
        )
        workflow.submit(section, by=writer)
        workflow.approve(section, by=editor)
        sections.append(section)
    return report, sections


def statuses(report) -> list[str]:
    return list(report.sections.order_by("position").values_list("status", flat=True))


def save_page_unchanged(client, url: str, form_id: str, **changes):
    """Press "save and continue editing" on a page, changing only `changes`."""
    data = form_values(client.get(url).content.decode(), form_id)
    data.update({name: [value] for name, value in changes.items()})
    data["_continue"] = ["1"]
    return client.post(url, data, follow=True)


# --- 1. A save with no change withdraws approval ------------------------------------------------


def test_saving_the_report_page_unchanged_keeps_every_approval(client, editor, author, coauthor):
    report, _sections = approved_report(editor, author, coauthor)
    transitions = SectionTransition.objects.count()
    versions = Version.objects.count()
    client.force_login(editor)

    response = save_page_unchanged(client, report_url(report), "report_form")

    assert statuses(report) == [SectionStatus.APPROVED, SectionStatus.APPROVED]
    assert SectionTransition.objects.count() == transitions
    assert Version.objects.count() == versions
    assert messages_of(response) == ["変更がなかったため、何も保存していません。"]
    assert 'name="schedule" value="1" class="button" disabled' not in response.content.decode()
    assert workflow.publication_blockers(report) == []


def test_editing_only_the_lead_keeps_every_approval(client, editor, author, coauthor):
    report, _sections = approved_report(editor, author, coauthor)
    client.force_login(editor)

    response = save_page_unchanged(
        client, report_url(report), "report_form", lead="編集者が書き直したリード文。"
    )

    report.refresh_from_db()
    assert report.lead == "編集者が書き直したリード文。"
    assert statuses(report) == [SectionStatus.APPROVED, SectionStatus.APPROVED]
    assert workflow.publication_blockers(report) == []
    assert "承認済みでしたが" not in " ".join(messages_of(response))


def test_saving_an_approved_section_unchanged_keeps_its_approval(client, editor, author):
    _report, (section,) = approved_report(editor, author)
    client.force_login(editor)

    response = save_page_unchanged(client, section_url(section), "section_form")

    section.refresh_from_db()
    assert (section.status, section.version) == (SectionStatus.APPROVED, 1)
    assert section.transitions.count() == 2  # submitted, approved: nothing since
    assert messages_of(response) == ["変更がなかったため、何も保存していません。"]


def test_line_ends_and_a_trailing_newline_are_no_change(client, editor, author):
    """Texts stored before this release may end in a newline the form does not send back."""
    _report, (section,) = approved_report(editor, author)
    Section.objects.filter(pk=section.pk).update(body=section.body.replace("\n", "\r\n") + "\n\n")
    client.force_login(editor)

    save_page_unchanged(client, section_url(section), "section_form")

    section.refresh_from_db()
    assert (section.status, section.version) == (SectionStatus.APPROVED, 1)
    assert section.approval_holds()


def test_choosing_a_reviewer_keeps_the_approval(client, editor, author):
    # Reordering keeps it too: tests/test_section_order.py.
    _report, (section,) = approved_report(editor, author)
    client.force_login(editor)

    save_page_unchanged(client, section_url(section), "section_form", reviewer=str(editor.pk))

    section.refresh_from_db()
    assert (section.reviewer, section.status) == (editor, SectionStatus.APPROVED)
    assert section.approval_holds()


def test_choosing_a_reviewer_is_told_as_saved(client, editor, author):
    _report, (section,) = approved_report(editor, author)
    client.force_login(editor)

    response = save_page_unchanged(
        client, section_url(section), "section_form", reviewer=str(editor.pk)
    )

    section.refresh_from_db()
    assert (section.reviewer, section.status, section.version) == (
        editor,
        SectionStatus.APPROVED,
        1,
    )
    link = f'<a href="{section_url(section)}">{section.title}</a>'
    assert messages_of(response) == [
        f"{display_name_of(editor)} さんが「{section.title}」のレビュー担当になりました。",
        f"節 “{link}” を変更しました。以下から再度編集できます。",
    ]


def test_taking_the_reviewer_away_is_told_as_saved(client, editor, author):
    _report, (section,) = approved_report(editor, author)
    workflow.assign_reviewer(section, editor, by=editor)
    client.force_login(editor)

    response = save_page_unchanged(client, section_url(section), "section_form", reviewer="")

    section.refresh_from_db()
    assert (section.reviewer, section.status) == (None, SectionStatus.APPROVED)
    assert f"「{section.title}」のレビュー担当を外しました。" in messages_of(response)
    assert "変更がなかったため、何も保存していません。" not in messages_of(response)


def test_a_real_change_sends_only_that_section_back_with_a_message(
    client, editor, author, coauthor
):
    report, (changed, _untouched) = approved_report(editor, author, coauthor)
    client.force_login(editor)

    response = save_page_unchanged(
        client,
        section_url(changed),
        "section_form",
        body=changed.body + "\n\n編集者が一文を足しました。",
    )

    assert statuses(report) == [SectionStatus.IN_REVIEW, SectionStatus.APPROVED]
    assert changed.transitions.last().action == SectionAction.REVIEW_AGAIN
    assert f"「{changed.title}」は承認済みでしたが、内容を変更したためレビューに戻りました。" in (
        messages_of(response)
    )
    assert [blocker.section for blocker in workflow.publication_blockers(report)] == [changed]


def test_a_changed_caption_of_a_placed_photo_is_a_change_to_review(editor, author):
    _report, (section,) = approved_report(editor, author)
    photo = make_photo(section.report, section, alt_text="壇上の様子", caption="基調講演")
    section.body += f'\n\n![壇上の様子](photo:{photo.pk} "基調講演")'
    workflow.reopen(section, by=editor)
    editing.save_section(section, by=author)
    workflow.submit(section, by=author)
    workflow.approve(section, by=editor)

    photo.caption = "基調講演の冒頭"
    edit = editing.save_photo(photo, by=editor)

    section.refresh_from_db()
    assert section.status == SectionStatus.IN_REVIEW
    assert edit.messages() == [
        f"「{section.title}」は承認済みでしたが、内容を変更したためレビューに戻りました。"
    ]


# --- 2. Any writer can join any draft report ---------------------------------------------------


def test_a_writer_cannot_add_a_section_to_another_teams_report(client, author, coauthor):
    theirs = make_report(title="別チームの下書き")
    make_section(theirs, author=coauthor, body="別チームの未公開の本文")
    mine = make_report(title="自分のレポート")
    make_writer_of(mine, author)
    client.force_login(author)

    response = client.post(
        reverse("admin:blog_section_add"),
        {
            "report": theirs.pk,
            "position": 9,
            "heading": "紛れ込む節",
            "body": "入り込もうとする本文",
            "photos-TOTAL_FORMS": 0,
            "photos-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 200
    assert not Section.objects.filter(heading="紛れ込む節").exists()
    assert response.context["adminform"].form.errors["report"] == [
        "このレポートの執筆者ではないか、すでに公開されています。"
        "執筆者に加えてもらうよう編集者に頼んでください。"
    ]
    assert not theirs.memberships.filter(user=author).exists()


def test_the_door_refuses_a_non_member_even_without_a_form(author, coauthor):
    theirs = make_report()
    make_section(theirs, author=coauthor)

    with pytest.raises(PermissionDenied) as error:
        editing.save_section(Section(report=theirs, author=author, heading="節"), by=author)

    assert "執筆者ではありません" in str(error.value)
    assert theirs.sections.count() == 1


@pytest.mark.parametrize(
    "address",
    [
        lambda report, section: reverse("blog:report_preview", args=[report.pk]),
        lambda report, section: reverse("admin:blog_report_change", args=[report.pk]),
        lambda report, section: reverse("admin:blog_report_revisions", args=[report.pk]),
        lambda report, section: reverse("admin:blog_section_revisions", args=[section.pk]),
        lambda report, section: reverse("admin:blog_section_change", args=[section.pk]),
    ],
    ids=["preview", "report page", "report revisions", "section revisions", "section page"],
)
def test_a_non_member_reads_no_draft_of_another_report(client, author, coauthor, editor, address):
    report = make_report()
    section = make_section(report, author=coauthor, body="別チームの未公開の本文")
    client.force_login(author)

    response = client.get(address(report, section))

    assert response.status_code == 403
    assert "別チームの未公開の本文" not in response.content.decode()


def test_a_member_reads_the_drafts_of_their_report(client, author, coauthor):
    report = make_report()
    make_section(report, author=coauthor, body="同じレポートの仲間の下書き")
    make_writer_of(report, author)
    client.force_login(author)

    preview = client.get(reverse("blog:report_preview", args=[report.pk]))

    assert "同じレポートの仲間の下書き" in preview.content.decode()


def test_a_writer_in_no_open_report_is_told_whom_to_ask(client, author, editor):
    client.force_login(author)

    page = client.get(reverse("admin:blog_section_add"))
    home = client.get(reverse("admin:index"))

    # Two sentences run on, with no space between them, as Japanese is written.
    sentence = (
        "まだ節を追加できるところがありません。"
        "編集者（editor 表示名）にレポートの執筆者に加えてもらってください。"
    )
    assert sentence in page.content.decode()
    assert sentence in home.content.decode()
    assert 'name="report"' not in page.content.decode()


def test_a_writer_in_no_open_report_is_shown_boards_to_claim_from_and_no_superuser(
    client, author, editor, superuser
):
    event = make_event(name="SRE Summit")
    make_report(event=event)  # being written, and the author is not among its writers
    make_report(event=make_event(name="閉じたイベント"), published=True)
    client.force_login(author)

    for page in (client.get(reverse("admin:blog_section_add")), client.get(reverse("admin:index"))):
        advice = " ".join(
            re.findall(r'<p class="ask-an-editor">(.*?)</p>', page.content.decode(), re.S)
        )
        assert "編集者（editor 表示名）にレポートの執筆者に加えてもらってください。" in advice
        assert superuser.get_username() not in advice
        board = reverse("admin:blog_coverage_board", args=[event.pk])
        assert f'<a href="{board}">SRE Summit: 担当ボード</a>' in advice
        assert "閉じたイベント" not in advice


def boards_offered_on_the_home(client) -> list[str]:
    html = client.get(reverse("admin:index")).content.decode()
    panel = re.search(r'<ul class="dashboard-boards">(.*?)</ul>', html, re.S)
    return re.findall(r'<a href="[^"]*/coverage/\d+/">(.*?)</a>', panel[1]) if panel else []


def test_a_writer_is_offered_only_the_boards_where_a_claim_is_possible(client, author, editor):
    make_report(event=make_event(name="執筆中のイベント"))
    make_report(event=make_event(name="公開済みのイベント"), published=True)
    make_event(name="レポートのないイベント")
    client.force_login(author)

    offered = boards_offered_on_the_home(client)

    assert offered == ["執筆中のイベント"]


def test_an_editor_is_offered_every_board(client, editor):
    make_report(event=make_event(name="公開済みのイベント"), published=True)
    make_event(name="レポートのないイベント")
    client.force_login(editor)

    assert sorted(boards_offered_on_the_home(client)) == [
        "レポートのないイベント",
        "公開済みのイベント",
    ]


def test_a_writer_in_no_open_report_finds_their_published_sections_on_the_home(
    client, author, editor
):
    report = make_report(published=True, title="公開済みのレポート")
    section = make_section(report, author=author, heading="公開された自分の節")
    client.force_login(author)

    html = client.get(reverse("admin:index")).content.decode()

    published = re.search(r'<ul class="dashboard-published"[^>]*>(.*?)</ul>', html, re.S)
    assert published is not None
    assert re.findall(r'<li><a href="([^"]*)">(.*?)</a>', published[1]) == [
        (section.get_absolute_url(), "公開された自分の節")
    ]


@pytest.mark.parametrize("add_page", ["admin:blog_section_add", "admin:blog_photo_add"])
def test_a_writer_in_no_open_report_is_not_offered_to_add_a_section_or_photo(
    client, author, editor, add_page
):
    make_report(published=True)
    add_url = reverse(add_page)

    client.force_login(author)
    writer_home = client.get(reverse("admin:index")).content.decode()
    client.force_login(editor)
    editor_home = client.get(reverse("admin:index")).content.decode()

    assert (f'href="{add_url}"' in writer_home, f'href="{add_url}"' in editor_home) == (
        False,
        True,
    )


@pytest.mark.parametrize("add_page", ["admin:blog_section_add", "admin:blog_photo_add"])
def test_a_writer_in_an_open_report_is_offered_to_add_a_section_or_photo(client, author, add_page):
    make_writer_of(make_report(), author)
    client.force_login(author)

    html = client.get(reverse("admin:index")).content.decode()

    assert f'href="{reverse(add_page)}"' in html


def test_an_editor_adds_and_removes_writers_on_the_report_page(client, editor, author, coauthor):
    report = make_report()
    make_section(report, author=coauthor)
    client.force_login(editor)
    url = report_url(report)
    data = form_values(client.get(url).content.decode(), "report_form")
    data |= {
        "memberships-TOTAL_FORMS": ["2"],
        "memberships-1-user": [str(author.pk)],
        "memberships-1-report": [str(report.pk)],
        "_continue": ["1"],
    }

    client.post(url, data)

    member = report.memberships.get(user=author)
    assert member.added_by == editor
    assert set(report.writers.all()) == {author, coauthor}


def test_a_writer_who_still_signs_a_section_cannot_be_removed(client, editor, coauthor):
    report = make_report()
    make_section(report, author=coauthor, heading="仲間の節")
    client.force_login(editor)
    url = report_url(report)
    data = form_values(client.get(url).content.decode(), "report_form")
    data |= {"memberships-0-DELETE": ["on"], "_continue": ["1"]}

    response = client.post(url, data)

    assert response.status_code == 200
    assert report.memberships.filter(user=coauthor).exists()
    assert "仲間の節" in str(response.context["inline_admin_formsets"][0].formset.non_form_errors())


def test_an_editor_choosing_a_writer_as_author_makes_them_a_writer_of_the_report(editor, author):
    report = make_report()

    edit = editing.save_section(
        Section(report=report, author=author, heading="任された節"), by=editor
    )

    assert report.memberships.get(user=author).added_by == editor
    assert edit.messages() == [f"author 表示名 さんを「{report.title}」の執筆者に加えました。"]


# --- 3. Publishing checks a status, not the text -----------------------------------------------


def test_publishing_refuses_text_nobody_approved(client, editor, author, coauthor):
    report, (bypassed, _other) = approved_report(editor, author, coauthor)
    # A change made around the editor (a shell, a script, a bug): no hook runs.
    Section.objects.filter(pk=bypassed.pk).update(body="誰も承認していない本文")
    client.force_login(editor)

    response = client.post(reverse("admin:blog_report_publish", args=[report.pk]), follow=True)

    report.refresh_from_db()
    assert report.status == "draft"
    assert messages_of(response) == [
        "すべての節が今の内容で承認されるまで公開できません。公開できない節: "
        f"「{bypassed.title}」: 承認後に内容が変わっています（承認されたのは第1版）。"
        "レビューに戻して、もう一度承認してください"
    ]
    page = response.content.decode()
    assert 'id="publication-blockers"' in page
    assert f"{bypassed.title}</a>: 承認後に内容が変わっています" in page


def test_the_section_page_says_when_its_approval_no_longer_holds(client, editor, author):
    _report, (section,) = approved_report(editor, author)
    Section.objects.filter(pk=section.pk).update(heading="こっそり変えた見出し")
    client.force_login(editor)

    page = client.get(section_url(section)).content.decode()

    assert "内容が承認されたときと変わっています" in page
    assert "レビューに戻す" in page


def test_approving_a_text_changed_since_it_was_opened_is_refused(editor, author):
    section = make_section(make_report(), author=author, status=SectionStatus.IN_REVIEW)
    seen = section.version
    section.body = "エディタが開いた後に変わった本文"
    editing.save_section(section, by=editor)

    with pytest.raises(workflow.WorkflowError) as error:
        workflow.approve(section, by=editor, seen_version=seen)

    assert error.value.code == "stale"
    section.refresh_from_db()
    assert section.status == SectionStatus.IN_REVIEW


# --- 4. Publishing twice moves the date --------------------------------------------------------


def test_publishing_a_published_report_again_changes_nothing(editor, author):
    report, _sections = approved_report(editor, author)
    first = workflow.publish(report, by=editor)
    published_at = first.report.published_at

    again = workflow.publish(report, by=make_user("second-editor", group="Editors"))

    report.refresh_from_db()
    assert (first.action, again.action) == ("publish", None)
    assert report.published_at == published_at
    assert ReportTransition.objects.filter(report=report).count() == 1
    assert list(report.editors.all()) == [editor]


def test_the_publish_button_pressed_twice_tells_it_is_done(client, editor, author):
    report, _sections = approved_report(editor, author)
    client.force_login(editor)
    url = reverse("admin:blog_report_publish", args=[report.pk])

    client.post(url, follow=True)
    response = client.post(url, follow=True)

    assert messages_of(response) == ["すでにその状態になっています。"]
    assert ReportTransition.objects.filter(report=report).count() == 1


# --- 5. Refusals reveal ------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["approve", "submit", "reopen", "request_changes"])
def test_a_refusal_says_nothing_about_a_section_one_may_not_see(client, author, coauthor, action):
    section = make_section(make_report(), author=coauthor, status=SectionStatus.APPROVED)
    client.force_login(author)

    response = client.post(
        reverse("admin:blog_section_transition", args=[section.pk, action]),
        {"comment": "理由"},
        follow=True,
    )

    assert messages_of(response) == ["この節に対してこの操作はできません。"]
    assert "承認済み" not in response.content.decode()
    section.refresh_from_db()
    assert section.status == SectionStatus.APPROVED


def test_view_on_site_redirect_refuses_a_report_one_may_not_see(client, author, coauthor):
    report = make_report(slug="secret-draft")
    make_section(report, author=coauthor)
    content_type = ContentType.objects.get_for_model(Report)
    client.force_login(author)

    response = client.get(f"/admin/r/{content_type.pk}/{report.pk}/")

    assert response.status_code == 404
    assert "secret-draft" not in response.get("Location", "")


def test_view_on_site_redirect_opens_the_preview_for_a_writer_of_the_report(client, author):
    report = make_report(slug="our-draft")
    make_section(report, author=author)
    content_type = ContentType.objects.get_for_model(Report)
    client.force_login(author)

    response = client.get(f"/admin/r/{content_type.pk}/{report.pk}/")

    assert (response.status_code, response["Location"]) == (
        302,
        reverse("blog:report_preview", args=[report.pk]),
    )


# --- 6. Reviewers disagree ---------------------------------------------------------------------


def reviewer_choices(form, prefix="") -> list[str]:
    field = form.fields["reviewer"]
    return [label for value, label in field.choices if value != ""]


def test_the_section_page_offers_reviewers_by_name(client, editor, author, superuser):
    report = make_report()
    section = make_section(report, author=author)
    client.force_login(editor)

    section_form = client.get(section_url(section)).context["adminform"].form

    assert reviewer_choices(section_form) == ["editor 表示名", "root"]


def test_saving_the_section_page_keeps_the_reviewer(client, editor, author):
    section = make_section(make_report(), author=author)
    workflow.assign_reviewer(section, editor, by=editor)
    client.force_login(editor)

    save_page_unchanged(client, section_url(section), "section_form")

    section.refresh_from_db()
    assert section.reviewer == editor


# --- 7. An abandoned photo blocks saving -------------------------------------------------------


def test_an_abandoned_photo_does_not_block_the_next_save(
    client, author, django_capture_on_commit_callbacks
):
    section = make_section(make_report(), author=author, body="本文")
    dropped = make_photo(section.report, section, alt_text="x")
    Photo.objects.filter(pk=dropped.pk).update(
        alt_text="ここに代替テキスト（写真の説明）を書いてください", caption=""
    )
    client.force_login(author)
    page = client.get(section_url(section))
    figures = page.context["inline_admin_formsets"][0].formset
    assert figures.initial_form_count() == 0  # not in the figures block, so no error there

    with django_capture_on_commit_callbacks(execute=True):
        response = save_page_unchanged(
            client, section_url(section), "section_form", body="本文を書き足しました。"
        )

    section.refresh_from_db()
    assert section.body == "本文を書き足しました。"
    assert not Photo.objects.filter(pk=dropped.pk).exists()
    assert "説明も本文への配置もされないまま残っていた写真 1 枚を削除しました。" in messages_of(
        response
    )


def test_a_placed_undescribed_photo_is_named_at_the_text(client, author):
    section = make_section(make_report(), author=author, body="本文")
    dropped = make_photo(section.report, section, alt_text="x")
    Photo.objects.filter(pk=dropped.pk).update(
        alt_text="ここに代替テキスト（写真の説明）を書いてください"
    )
    client.force_login(author)
    body = f'![ここに代替テキスト（写真の説明）を書いてください](photo:{dropped.pk} "")'

    response = save_page_unchanged(client, section_url(section), "section_form", body=body)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["body"]
    assert errors[0].startswith(
        f"上から 1 枚目の写真（photo:{dropped.pk}）にまだ説明がありません。"
    )
    assert Photo.objects.filter(pk=dropped.pk).exists()


# --- 8. "Editor" means six things ---------------------------------------------------------------


def test_submissions_go_to_the_editors_group_not_the_superuser_account(
    author, superuser, editor, django_capture_on_commit_callbacks
):
    superuser.email, editor.email = "root@example.com", "editor@example.com"
    superuser.save()
    editor.save()
    section = make_section(make_report(), author=author)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(section, by=author)

    # The same people a writer is sent to ask (roles.desk).
    assert mail.outbox[0].to == ["editor@example.com"]


def test_superusers_are_told_about_submissions_when_there_is_no_editor(
    author, superuser, django_capture_on_commit_callbacks
):
    superuser.email = "root@example.com"
    superuser.save()
    section = make_section(make_report(), author=author)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(section, by=author)

    assert mail.outbox[0].to == ["root@example.com"]


def test_the_photo_list_shows_a_superuser_every_photo(client, superuser, author):
    report = make_report()
    section = make_section(report, author=author)
    photo = make_photo(report, section)
    client.force_login(superuser)

    response = client.get(reverse("admin:blog_photo_changelist"))

    assert list(response.context["cl"].result_list) == [photo]


def test_the_section_list_filter_names_only_reports_the_writer_writes_in(client, author, coauthor):
    make_section(make_report(title="よそのチームの秘密の下書き"), author=coauthor)
    make_section(make_report(title="自分のレポート"), author=author)
    client.force_login(author)

    html = client.get(reverse("admin:blog_section_changelist")).content.decode()

    assert "自分のレポート" in html
    assert "よそのチームの秘密の下書き" not in html


def test_the_migration_binds_existing_approvals_as_the_model_does(editor, author):
    """Migration 0005 keeps a frozen copy of the digest: it must agree with the model."""
    import importlib

    migration = importlib.import_module(
        "blog.migrations.0005_membership_and_content_bound_approval"
    )
    _report, (section,) = approved_report(editor, author)
    placed = make_photo(
        section.report, section, alt_text="会場", caption="受付", credit_text="佐藤"
    )
    make_photo(section.report, section, alt_text="説明のある未配置の写真")
    section.body += f'\n\n![会場](photo:{placed.pk} "受付")\n'
    editing.save_section(section, by=editor)
    section.refresh_from_db()
    photos = list(Photo.objects.filter(report=section.report))

    assert migration.digest(section, photos) == section.content_digest(photos)


def test_the_review_forms_tell_the_browser_the_longest_comment(client, editor, author):
    section = make_section(make_report(), author=author, status=SectionStatus.IN_REVIEW)
    client.force_login(editor)

    html = client.get(section_url(section)).content.decode()

    assert html.count('maxlength="5000"') == 2  # the request for changes and the comment
