"""The editorial workflow as writers and editors meet it in the admin."""

import datetime
import html
import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from blog import editing, trash, workflow
from blog.models import ReviewComment, Section, SectionAutosave, ShareLink, display_name_of
from blog.sharing import token_for
from sessions.dates import site_time
from sessions.models import Event
from tests.factories import (
    make_event,
    make_photo,
    make_report,
    make_section,
    make_session,
    make_speaker,
    make_user,
    make_writer_of,
)
from tests.forms import form_values

pytestmark = pytest.mark.django_db


def change_url(section) -> str:
    return reverse("admin:blog_section_change", args=[section.pk])


def form_data(section, **changes) -> dict:
    data = {
        "report": section.report_id,
        "position": section.position,
        "session": section.session_id or "",
        "heading": section.heading,
        "author": section.author_id,
        "author_team": section.author_team,
        "body": section.body,
        "base_version": section.version,
        "photos-TOTAL_FORMS": 0,
        "photos-INITIAL_FORMS": 0,
        "photos-MIN_NUM_FORMS": 0,
        "photos-MAX_NUM_FORMS": 1000,
    }
    return data | changes


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


# --- Reaching sections ---------------------------------------------------------------------------


def test_writer_opens_own_draft_section(client, author):
    section = make_section(make_report(), author=author)
    client.force_login(author)

    assert client.get(change_url(section)).status_code == 200


def test_writer_is_refused_another_writers_section_by_url(client, author, coauthor):
    section = make_section(make_report(), author=coauthor, body="他人の下書き")
    client.force_login(author)

    response = client.get(change_url(section))

    assert response.status_code == 403
    assert "他人の下書き" not in response.content.decode()


def test_the_refusal_says_whose_section_it_is_and_offers_the_preview_to_its_writers(
    client, author, coauthor
):
    report = make_report()
    make_writer_of(report, author)
    section = make_section(report, author=coauthor)
    outsider_report_section = make_section(make_report(), author=coauthor)
    client.force_login(author)

    page = client.get(change_url(section)).content.decode()
    outside = client.get(change_url(outsider_report_section)).content.decode()

    reason = f"この節は{display_name_of(coauthor)}さんの節です。節のページを開けるのは"
    assert reason in page and reason in outside
    preview = f'href="/preview/reports/{report.pk}/#{section.anchor}">プレビューで読む</a>'
    assert preview in page
    assert "プレビューで読む" not in outside  # not a report they write for


def test_a_photo_one_may_not_open_is_refused_with_whose_it_is_not_called_deleted(
    client, author, coauthor, editor
):
    from tests.factories import make_photo

    report = make_report()
    make_writer_of(report, author)
    theirs = make_photo(report, make_section(report, author=coauthor))
    gallery = make_photo(report, in_gallery=True)
    elsewhere = make_photo(make_report(), make_section(make_report(), author=coauthor))
    client.force_login(author)

    def refusal(photo) -> tuple[int, str]:
        response = client.get(reverse("admin:blog_photo_change", args=[photo.pk]))
        return response.status_code, response.content.decode()

    status, page = refusal(theirs)
    assert status == 403
    assert f"この写真は{display_name_of(coauthor)}さんの節の写真です。" in page
    assert f'href="/preview/reports/{report.pk}/">プレビューで見る</a>' in page
    assert "削除された可能性" not in page
    assert "ギャラリー" in refusal(gallery)[1]
    status, page = refusal(elsewhere)
    assert status == 403 and "プレビューで見る" not in page  # not a report they write for
    missing = client.get(reverse("admin:blog_photo_change", args=[999_999]), follow=True)
    assert "削除された可能性" in missing.content.decode()  # what Django says of a missing one
    client.force_login(editor)
    assert client.get(reverse("admin:blog_photo_change", args=[theirs.pk])).status_code == 200


def test_a_refused_save_asks_for_the_chosen_photo_again_and_says_what_alt_text_is_for(
    client, author
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from blog.models import Photo
    from tests.factories import jpeg_bytes

    section = make_section(make_report(), author=author)
    client.force_login(author)
    photo_row = {
        "photos-TOTAL_FORMS": 1,
        "photos-0-image": SimpleUploadedFile("venue.jpg", jpeg_bytes(), "image/jpeg"),
        "photos-0-alt_text": "",
        "photos-0-caption": "会場の様子",
        "photos-0-position": 0,
    }

    response = client.post(change_url(section), form_data(section) | photo_row)

    assert response.status_code == 200
    photo_form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert photo_form.errors == {
        "alt_text": ["写真を見られない読者のために、何が写っているかを書いてください。"],
        "image": [
            "保存できなかったため、選んだファイルは受け取られていません。もう一度選んでください。"
        ],
    }
    assert Photo.objects.count() == 0

    body_only = client.post(change_url(section), form_data(section, body="直した本文"))
    assert body_only.status_code == 302  # a save without a file asks for nothing


def test_writer_cannot_save_into_another_writers_section(client, author, coauthor):
    section = make_section(make_report(), author=coauthor, body="元の本文")
    client.force_login(author)

    response = client.post(change_url(section), form_data(section, body="乗っ取り"))

    assert response.status_code == 403
    section.refresh_from_db()
    assert section.body == "元の本文"


def test_writer_list_shows_only_own_sections(client, author, coauthor):
    report = make_report()
    mine = make_section(report, author=author, heading="自分の節")
    make_section(report, author=coauthor, heading="他人の節")
    client.force_login(author)

    response = client.get(reverse("admin:blog_section_changelist"))

    assert [s.pk for s in response.context["cl"].result_list] == [mine.pk]


def test_editor_list_shows_every_section(client, author, coauthor, editor):
    report = make_report()
    make_section(report, author=author)
    make_section(report, author=coauthor)
    client.force_login(editor)

    response = client.get(reverse("admin:blog_section_changelist"))

    assert len(response.context["cl"].result_list) == 2


def test_anonymous_is_sent_to_login(client, author):
    section = make_section(make_report(), author=author)

    response = client.get(change_url(section))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_submitted_section_is_read_only_for_its_writer(client, author):
    section = make_section(make_report(), author=author, status="in_review", body="提出済み")
    client.force_login(author)

    page = client.get(change_url(section))
    response = client.post(change_url(section), form_data(section, body="提出後の書き換え"))

    assert page.status_code == 200
    assert 'id="id_body"' not in page.content.decode()
    # Refused as a save from a page opened before the submission: it cannot be told apart.
    assert response.status_code == 409
    section.refresh_from_db()
    assert section.body == "提出済み"


def locked_note(response) -> str:
    found = re.findall(r'<p class="workflow-panel__locked">(.*?)</p>', response.content.decode())
    return found[0] if found else ""


def test_a_submitted_section_tells_its_writer_it_waits_and_whom_to_ask(client, author, editor):
    section = make_section(make_report(), author=author, status="in_review")
    client.force_login(author)

    note = locked_note(client.get(change_url(section)))

    assert note == (
        "レビュー依頼済みのため、編集者が承認するか修正を依頼するまで本文は編集できません。"
        "執筆者が依頼を取り下げることはできません。今すぐ直したいときは、editor 表示名に"
        "「修正を依頼」で差し戻してもらってください。"
    )


def test_a_submitted_section_with_a_reviewer_sends_its_writer_to_the_reviewer(
    client, author, editor
):
    reviewer = make_user("reviewer", group="Editors")
    section = make_section(make_report(), author=author, status="in_review", reviewer=reviewer)
    client.force_login(author)

    note = locked_note(client.get(change_url(section)))

    assert "reviewer 表示名に「修正を依頼」で差し戻してもらってください。" in note
    assert "editor 表示名" not in note


def test_sending_an_approved_section_back_is_recorded_as_a_withdrawn_approval(client, editor):
    section = make_section(make_report(), status="approved")
    client.force_login(editor)
    address = reverse("admin:blog_section_transition", args=[section.pk, "withdraw_approval"])

    client.post(address, {"version": section.version})

    section.refresh_from_db()
    assert section.status == "in_review"
    moved = section.transitions.last()
    assert (moved.action, moved.get_action_display()) == (
        "withdraw_approval",
        "承認を取り消してレビューに戻した",
    )
    # What follows from an edit is no button of its own.
    approved_again = make_section(make_report(), status="approved")
    edit_only = reverse("admin:blog_section_transition", args=[approved_again.pk, "review_again"])
    assert client.post(edit_only).status_code == 403
    approved_again.refresh_from_db()
    assert approved_again.status == "approved"


HINT_TO_SUBMIT = "書き終えたら、エディタの下にある「保存してレビューを依頼」を押してください。"


def test_the_hint_to_submit_shows_only_with_its_button(client, author, editor):
    report = make_report()
    make_writer_of(report, author)
    section = make_section(report, author=author, status="changes_requested")

    pages = {}
    for person in (author, editor):
        client.force_login(person)
        pages[person.username] = client.get(change_url(section)).content.decode()

    shown = {
        name: (HINT_TO_SUBMIT in page, 'name="_submit_for_review"' in page)
        for name, page in pages.items()
    }
    assert shown[author.username] == (True, True)
    assert shown[editor.username] == (False, True)  # the writer's hint is not theirs


def test_an_editor_is_told_whom_a_section_waits_for(client, author, editor):
    section = make_section(make_report(), author=author, status="changes_requested")
    client.force_login(editor)

    page = client.get(change_url(section)).content.decode()

    waiting = f"{display_name_of(author)}さんが書き終えてレビューを依頼するのを待っています。"
    assert waiting in page


def test_an_editor_is_told_how_reopening_and_sending_back_to_review_differ(client, editor):
    section = make_section(make_report(), status="approved")
    client.force_login(editor)

    page = client.get(change_url(section)).content.decode()

    for name, label, hint in [
        ("reopen", "差し戻して再編集可能にする", "執筆者が再び編集できる下書きに戻します。"),
        ("withdraw_approval", "レビューに戻す", "承認を取り消してレビュー待ちに戻します。"),
    ]:
        button = rf'<button type="submit" class="button" aria-describedby="{name}-hint">{label}<'
        assert re.search(button, page), label
        assert re.search(rf'<p [^>]*id="{name}-hint">{hint}', page), hint


def test_an_approved_section_tells_its_writer_whom_to_ask_to_reopen_it(client, author, editor):
    section = make_section(make_report(), author=author, status="approved")
    client.force_login(author)

    note = locked_note(client.get(change_url(section)))

    assert note == (
        "承認済みのため、本文はもう編集できません。"
        "直したいときは、editor 表示名に再編集できるよう差し戻してもらってください。"
    )


def test_a_section_its_writer_can_edit_or_an_editor_reviews_says_nothing_of_a_lock(
    client, author, editor
):
    draft = make_section(make_report(), author=author)
    in_review = make_section(make_report(), author=author, status="in_review")

    client.force_login(author)
    assert locked_note(client.get(change_url(draft))) == ""
    client.force_login(editor)
    assert locked_note(client.get(change_url(in_review))) == ""


def test_writer_adds_a_section_as_its_author(client, author, coauthor):
    report = make_report()
    make_writer_of(report, author)
    client.force_login(author)
    data = form_data(Section(report=report, heading="新しい節", body="本文"), base_version="")
    data["author"] = coauthor.pk  # ignored: writers write as themselves

    response = client.post(reverse("admin:blog_section_add"), data)

    assert response.status_code == 302
    section = Section.objects.get(heading="新しい節")
    assert (section.author, section.status) == (author, "draft")


def add_through_the_form(client, report, **changes):
    """Fill in the add form as the page offers it, changing only `changes`, and save."""
    add_url = f"{reverse('admin:blog_section_add')}?report={report.pk}"
    data = form_values(client.get(add_url).content.decode(), "section_form")
    return client.post(add_url, data | {key: [value] for key, value in changes.items()})


def test_a_new_section_goes_after_the_last_one_of_its_report(client, author):
    report = make_report()
    make_section(report, author=author, position=0)
    make_section(report, author=author, position=1)
    client.force_login(author)

    response = add_through_the_form(client, report, heading="最後に足す節", body="本文")

    assert response.status_code == 302
    assert list(report.sections.order_by("position").values_list("position", "heading"))[-1] == (
        2,
        "最後に足す節",
    )


def test_a_new_section_goes_last_whatever_position_is_posted(client, author):
    # The order is the editors' (the arrows on the report page): the form has no position.
    report = make_report()
    make_section(report, author=author, position=0)
    make_section(report, author=author, position=5)
    client.force_login(author)

    add_through_the_form(client, report, heading="二番目に入れたい節", body="本文", position="1")

    assert Section.objects.get(heading="二番目に入れたい節").position == 6


def test_the_first_section_of_a_report_is_at_position_zero(client, author):
    report = make_report()
    make_writer_of(report, author)
    client.force_login(author)

    add_through_the_form(client, report, heading="最初の節", body="本文")

    assert Section.objects.get(heading="最初の節").position == 0


def test_status_cannot_be_posted_through_the_form(client, author):
    section = make_section(make_report(), author=author)
    client.force_login(author)

    client.post(change_url(section), form_data(section, status="approved"))

    section.refresh_from_db()
    assert section.status == "draft"


# --- Saving without losing anything --------------------------------------------------------------


@pytest.fixture
def overtaken(client, author, editor):
    """A section the editor saved after its author opened it; the author is logged in.

    Returns the section and the version the author started from.
    """
    section = make_section(make_report(), author=author, body="最初の本文")
    started_from = section.version
    client.force_login(editor)
    client.post(change_url(section), form_data(section, body="編集者の修正"))
    client.force_login(author)
    return section, started_from


def test_second_save_from_the_same_version_is_refused_and_keeps_the_text(client, overtaken):
    section, started_from = overtaken

    response = client.post(
        change_url(section), form_data(section, body="執筆者の加筆", base_version=started_from)
    )

    assert response.status_code == 200
    html = response.content.decode()
    errors = response.context["adminform"].form.non_field_errors()
    assert len(errors) == 1
    assert errors[0].startswith(
        "あなたが編集を始めたあとで、editor 表示名 さんがこの節を保存しました"
    )
    assert "執筆者の加筆" in html  # their text is still in the form
    assert "編集者の修正" in html  # and the other text is shown beside it
    section.refresh_from_db()
    assert section.body == "編集者の修正"


def test_a_refused_save_keeps_the_saved_heading_in_the_title_and_trail(client, author):
    section = make_section(make_report(), author=author, heading="保存済みの見出し")
    client.force_login(author)

    response = client.post(change_url(section), form_data(section, heading=""))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["heading"]
    html = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "保存済みの見出し | 節 を変更" in title
    trail = re.search(r'<li aria-current="page">(.*?)</li>', html, re.S).group(1)
    assert trail.strip() == "保存済みの見出し"
    heading_field = re.search(r'<input[^>]*name="heading"[^>]*>', html).group(0)
    assert "value=" not in heading_field  # the form keeps what was typed: nothing
    section.refresh_from_db()
    assert section.heading == "保存済みの見出し"


# --- Images from elsewhere ----------------------------------------------------------------------

EXTERNAL_IMAGE_REFUSED = (
    "画像 https://example.com/gateway.png は読者に表示されません。読者のブラウザはこのサイト"
    "からしか画像を読み込みません。「写真を追加」でアップロードするか、[ゲートウェイの構成図] "
    "の前の ! を消して画像へのリンクにしてください。"
)
HTML_IMAGE_REFUSED = (
    "HTML で書いた画像（<img>）は読者に表示されません。「写真を追加」で画像をアップロードする"
    "か、[文字](アドレス) の形で画像へのリンクにしてください。"
)


@pytest.mark.parametrize(
    ("image", "refusal"),
    [
        ("![ゲートウェイの構成図](https://example.com/gateway.png)", EXTERNAL_IMAGE_REFUSED),
        ("<img src=x>", HTML_IMAGE_REFUSED),
    ],
    ids=["from-another-site", "written-in-html"],
)
def test_a_section_with_an_image_readers_would_not_see_is_not_saved(client, author, image, refusal):
    section = make_section(make_report(), author=author, body="保存済みの本文")
    versions = Version.objects.get_for_object(section).count()
    client.force_login(author)

    response = client.post(change_url(section), form_data(section, body=f"構成です。\n\n{image}"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["body"] == [refusal]
    section.refresh_from_db()
    assert (section.body, Version.objects.get_for_object(section).count()) == (
        "保存済みの本文",
        versions,
    )


def test_a_photo_and_a_link_to_an_image_are_saved(client, author):
    section = make_section(make_report(), author=author)
    photo = make_photo(section.report, section)
    client.force_login(author)
    body = (
        f"![ゲートウェイの構成図](photo:{photo.pk})\n\n"
        "元の図: [ゲートウェイの構成図](https://example.com/gateway.png)"
    )

    response = client.post(change_url(section), form_data(section, body=body))

    assert response.status_code == 302, response.context["adminform"].form.errors
    section.refresh_from_db()
    assert (section.body, "<figure" in section.body_html) == (body, True)


def test_a_report_lead_with_an_image_from_another_site_is_not_saved(client, editor):
    report = make_report(lead="保存済みのリード")
    url = reverse("admin:blog_report_change", args=[report.pk])
    client.force_login(editor)
    data = form_values(client.get(url).content.decode(), "report_form")

    response = client.post(
        url, data | {"lead": ["![ゲートウェイの構成図](https://example.com/gateway.png)"]}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["lead"] == [EXTERNAL_IMAGE_REFUSED]
    report.refresh_from_db()
    assert report.lead == "保存済みのリード"


# --- Moving a section to another report ----------------------------------------------------------


def test_an_editor_moves_a_section_between_reports_being_written(client, editor, author):
    first, second = make_report(), make_report()
    section = make_section(first, heading="移す節", author=author)
    client.force_login(editor)

    response = client.post(change_url(section), form_data(section, report=second.pk))

    assert response.status_code == 302, response.context["adminform"].form.errors
    section.refresh_from_db()
    assert section.report == second
    assert second.memberships.filter(user=author).exists()  # its author now writes there


@pytest.mark.parametrize("moving", ["out", "in"])
def test_a_published_report_neither_loses_nor_gains_a_section(client, editor, author, moving):
    published = make_report(published=True, slug="live")
    draft = make_report()
    source, target = (published, draft) if moving == "out" else (draft, published)
    section = make_section(source, heading="動かない節", status="approved", author=author)
    client.force_login(editor)

    response = client.post(change_url(section), form_data(section, report=target.pk))

    assert response.status_code == 200
    # Neither is in the menu (test below): a choice refused as not offered.
    assert response.context["adminform"].form.errors["report"] == [
        "このレポートの執筆者ではないか、すでに公開されています。"
        "執筆者に加えてもらうよう編集者に頼んでください。"
    ]
    section.refresh_from_db()
    assert (section.report, section.status) == (source, "approved")
    page = client.get(published.get_absolute_url()).content.decode()
    assert ("動かない節" in page) is (moving == "out")


def test_a_section_of_a_published_report_is_offered_no_other_report(client, editor, author):
    published = make_report(published=True, title="公開中")
    make_report(title="執筆中")
    section = make_section(published, status="approved", author=author)
    client.force_login(editor)

    form = client.get(change_url(section)).context["adminform"].form

    assert [str(report) for report in form.fields["report"].queryset] == ["公開中"]


def test_only_a_report_being_written_offers_to_add_a_section(client, editor):
    client.force_login(editor)

    def offers_to_add(report) -> bool:
        page = client.get(reverse("admin:blog_report_change", args=[report.pk]))
        return f"{reverse('admin:blog_section_add')}?report={report.pk}" in page.content.decode()

    assert offers_to_add(make_report()) is True
    assert offers_to_add(make_report(published=True)) is False


@pytest.mark.parametrize(
    ("persona", "told"),
    [
        ("author", "レポートは公開中のため、節は編集できません。"),
        ("editor", "ここで保存した内容は訂正として、すぐ読者に表示されます。"),
    ],
)
def test_a_published_sections_page_tells_each_person_what_a_save_would_do(
    client, request, persona, told
):
    author = request.getfixturevalue("author")
    section = make_section(make_report(published=True), status="approved", author=author)
    client.force_login(request.getfixturevalue(persona))

    page = client.get(change_url(section)).content.decode()

    state = re.search(r'<p class="workflow-panel__state">(.*?)</p>', page, re.S)[1]
    assert told in state
    assert len(re.findall("レポートは公開中", state)) == 1


def test_a_superuser_cannot_take_a_section_out_of_a_published_report_either(
    client, admin_user, author
):
    published, draft = make_report(published=True), make_report()
    section = make_section(published, status="approved", author=author)
    client.force_login(admin_user)

    response = client.post(change_url(section), form_data(section, report=draft.pk))

    assert response.status_code == 200
    section.refresh_from_db()
    assert section.report == published


def test_a_section_with_photos_stays_in_its_report(client, editor, author):
    first, second = make_report(), make_report()
    section = make_section(first, author=author)
    make_photo(first, section)
    client.force_login(editor)

    response = client.post(change_url(section), form_data(section, report=second.pk))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["report"] == [
        "この節の写真はレポートに属しているため、別のレポートへは移せません。"
        "そのレポートで新しい節として書いてください。"
    ]
    section.refresh_from_db()
    assert section.report == first


def test_the_one_door_refuses_a_move_out_of_a_published_report(editor):
    published, draft = make_report(published=True), make_report()
    section = make_section(published, status="approved")
    section.report = draft

    with pytest.raises(PermissionDenied, match="先にレポートの公開を取り下げてください"):
        editing.save_section(section, by=editor)

    section.refresh_from_db()
    assert section.report == published


def test_a_heading_too_long_is_refused_whole_not_cut(client, author):
    section = make_section(make_report(), author=author, heading="元の見出し")
    client.force_login(author)
    assert 'maxlength="200"' not in re.search(
        r'<input[^>]*name="heading"[^>]*>', client.get(change_url(section)).content.decode()
    ).group(0)
    long_heading = "長い見出し" * 50  # 250 characters

    response = client.post(change_url(section), form_data(section, heading=long_heading))

    assert response.context["adminform"].form.errors["heading"] == [
        "見出しが 250 文字あります。200 文字以内に縮めてください。"
    ]
    assert long_heading in response.content.decode()  # all of it, to shorten
    section.refresh_from_db()
    assert section.heading == "元の見出し"


def test_a_new_section_with_a_heading_too_long_gets_only_the_length_error(client, author):
    report = make_report()
    make_writer_of(report, author)
    client.force_login(author)
    long_heading = "長い見出し" * 50  # 250 characters
    data = form_data(
        Section(report=report, author=author, heading=long_heading, body="本文"), base_version=""
    )

    response = client.post(reverse("admin:blog_section_add"), data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {"heading": ["見出しが 250 文字あります。200 文字以内に縮めてください。"]}
    assert [link["message"] for link in response.context["error_links"]] == [
        "見出しが 250 文字あります。200 文字以内に縮めてください。"
    ]
    assert not Section.all_objects.filter(report=report).exists()


def test_a_new_section_without_heading_or_session_is_still_refused(client, author):
    report = make_report()
    make_writer_of(report, author)
    client.force_login(author)
    data = form_data(
        Section(report=report, author=author, heading="", body="本文"), base_version=""
    )

    response = client.post(reverse("admin:blog_section_add"), data)

    assert response.context["adminform"].form.errors == {
        "heading": ["節の見出しを入力するか、紹介するセッションを選んでください。"]
    }
    assert not Section.all_objects.filter(report=report).exists()


def session_menu(client, term: str = "") -> list[str]:
    """The session titles the section form's search menu offers, in its order."""
    query = {"app_label": "blog", "model_name": "section", "field_name": "session", "term": term}
    response = client.get(reverse("admin:autocomplete"), query)
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


def sessions_at(name: str, starts_on: datetime.date, *titles: str) -> list:
    event = make_event(name=name, starts_on=starts_on, ends_on=starts_on)
    return [
        make_session(
            event,
            title=title,
            starts_at=timezone.make_aware(
                datetime.datetime(starts_on.year, starts_on.month, starts_on.day, 9 + hour)
            ),
        )
        for hour, title in enumerate(titles)
    ]


def test_the_session_menu_offers_a_writer_the_sessions_of_the_events_they_write_about(
    client, author
):
    ours = sessions_at("KubeCon NA", datetime.date(2022, 10, 26), "Istio", "Kyverno")
    make_writer_of(make_report(event=ours[0].event), author)
    others = sessions_at("KubeCon EU", datetime.date(2023, 4, 18), "Cilium")
    make_report(event=others[0].event)  # being written, by others
    done = sessions_at("KubeCon China", datetime.date(2021, 12, 9), "Envoy")
    make_writer_of(make_report(event=done[0].event, published=True), author)
    client.force_login(author)

    assert session_menu(client) == ["Istio（KubeCon NA）", "Kyverno（KubeCon NA）"]
    assert session_menu(client, "Cilium") == []


def test_the_session_menu_offers_an_editor_every_session_those_being_written_first(client, editor):
    written = sessions_at("KubeCon NA", datetime.date(2022, 10, 26), "Istio", "Kyverno")
    make_report(event=written[0].event)
    sessions_at("KubeCon EU", datetime.date(2023, 4, 18), "Cilium", "Falco")
    sessions_at("KubeCon China", datetime.date(2021, 12, 9), "Envoy")
    client.force_login(editor)

    assert session_menu(client) == [
        "Istio（KubeCon NA）",
        "Kyverno（KubeCon NA）",
        "Cilium（KubeCon EU）",
        "Falco（KubeCon EU）",
        "Envoy（KubeCon China）",
    ]
    assert session_menu(client, "Cilium") == ["Cilium（KubeCon EU）"]


def test_the_session_menu_says_the_event_of_sessions_of_the_same_title(client, editor, author):
    [north_america] = sessions_at(
        "KubeCon + CloudNativeCon North America 2022", datetime.date(2022, 10, 26), "Keynote"
    )
    Event.objects.filter(pk=north_america.event_id).update(short_name="KubeCon NA 2022")
    [europe] = sessions_at(
        "KubeCon + CloudNativeCon Europe 2023", datetime.date(2023, 4, 18), "Keynote"
    )
    report = make_report(event=europe.event)
    section = make_section(report, author=author, session=europe, heading="")
    client.force_login(editor)

    # Named by its short name where it has one, else in full; the newest event first.
    assert session_menu(client, "Keynote") == [
        "Keynote（KubeCon + CloudNativeCon Europe 2023）",
        "Keynote（KubeCon NA 2022）",
    ]
    # The section page names its chosen session as the menu does.
    html = client.get(change_url(section)).content.decode()
    chosen = re.search(r'<select name="session"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert re.findall(r"<option[^>]*selected>([^<]*)</option>", chosen) == [
        "Keynote（KubeCon + CloudNativeCon Europe 2023）"
    ]


def test_the_session_menu_reads_the_events_with_the_sessions(client, editor):
    sessions_at("KubeCon NA", datetime.date(2022, 10, 26), "Istio")
    sessions_at("KubeCon EU", datetime.date(2023, 4, 18), "Cilium")
    client.force_login(editor)
    session_menu(client)  # the login's own queries, once

    with CaptureQueriesContext(connection) as two:
        session_menu(client)
    sessions_at("KubeCon China", datetime.date(2021, 12, 9), "Envoy", "Falco")
    with CaptureQueriesContext(connection) as four:
        assert len(session_menu(client)) == 4

    assert len(four) == len(two)


def test_a_section_on_a_session_of_another_event_is_still_refused(client, author):
    report = make_report(event=make_event(name="KubeCon NA"))
    make_writer_of(report, author)
    elsewhere = make_session(make_event(name="KubeCon EU"), title="Cilium")
    client.force_login(author)
    data = form_data(
        Section(report=report, author=author, session=elsewhere, body="本文"), base_version=""
    )

    response = client.post(reverse("admin:blog_section_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "session": ["このセッションはレポートとは別のイベントのものです。"]
    }
    assert not Section.all_objects.filter(report=report).exists()


def test_a_save_from_your_own_other_tab_is_told_as_yours(client, author):
    section = make_section(make_report(), author=author, body="最初の本文")
    started_from = section.version
    client.force_login(author)
    client.post(change_url(section), form_data(section, body="一つ目のタブ"))

    response = client.post(
        change_url(section), form_data(section, body="二つ目のタブ", base_version=started_from)
    )

    errors = response.context["adminform"].form.non_field_errors()
    assert len(errors) == 1
    assert errors[0].startswith("別のタブかウィンドウで、このページを開いたあとにあなたが")
    assert "表示名 さん" not in errors[0]
    section.refresh_from_db()
    assert section.body == "一つ目のタブ"


def test_a_save_by_nobody_known_is_told_without_a_name(client, author):
    section = make_section(make_report(), author=author, body="最初の本文")
    started_from = section.version
    Section.objects.filter(pk=section.pk).update(version=F("version") + 1, body="手元の修正")
    client.force_login(author)

    response = client.post(
        change_url(section), form_data(section, body="執筆者の加筆", base_version=started_from)
    )

    errors = response.context["adminform"].form.non_field_errors()
    assert errors[0].startswith("あなたが編集を始めたあとで、誰かがこの節を保存しました")
    section.refresh_from_db()
    assert section.body == "手元の修正"


def test_saving_again_after_the_conflict_warning_goes_through(client, overtaken):
    section, started_from = overtaken
    conflict = client.post(
        change_url(section), form_data(section, body="統合した本文", base_version=started_from)
    )
    new_base = conflict.context["adminform"].form.data["base_version"]

    response = client.post(
        change_url(section), form_data(section, body="統合した本文", base_version=new_base)
    )

    assert response.status_code == 302
    section.refresh_from_db()
    assert section.body == "統合した本文"


# --- A save from a page the section has left since -----------------------------------------------


def given_back(response) -> dict:
    """What a save refused for a section out of the person's hands says and gives back."""
    page = response.content.decode()
    heading = re.search(r'<input type="text" id="sent-heading" value="([^"]*)"', page)
    body = re.search(r'<textarea id="sent-body"[^>]*>(.*?)</textarea>', page, re.S)
    paragraphs = re.findall(
        r'<div id="content-main" class="refusal taken-away">\s*'
        r'<p class="refusal__reason" role="alert">(.*?)</p>\s*<p>(.*?)</p>',
        page,
        re.S,
    )
    reason, advice = paragraphs[0] if paragraphs else ("", "")
    return {
        "reason": html.unescape(reason),
        "advice": html.unescape(advice),
        "heading": html.unescape(heading.group(1)) if heading else None,
        "body": html.unescape(body.group(1)).removeprefix("\n") if body else None,
    }


def state_of(section) -> tuple:
    section.refresh_from_db()
    return (
        section.heading,
        section.body,
        section.status,
        section.version,
        section.author_id,
        Version.objects.get_for_object(section).count(),
    )


def test_a_save_from_a_tab_opened_before_the_writer_submitted_writes_nothing_gives_text_back(
    client, author, editor
):
    section = make_section(make_report(), author=author, heading="下書きの節", body="最初の段落。")
    started_from = section.version
    client.force_login(author)
    # Tab A: a line added, then saved and sent for review in one click.
    client.post(
        change_url(section),
        form_data(section, body="最初の段落。タブAの一文。", _submit_for_review="1"),
    )
    submitted = section.transitions.get()
    before = state_of(section)

    # Tab B, opened before: a paragraph typed over the first text.
    response = client.post(
        change_url(section),
        form_data(
            section,
            heading="下書きの節（改）",
            body="最初の段落。\r\n\r\nタブBで書いた段落。",
            base_version=started_from,
        ),
    )

    assert response.status_code == 409
    assert given_back(response) == {
        "reason": "別のタブかウィンドウで、このページを開いたあとにあなたがこの節のレビューを"
        f"依頼しました（{site_time(submitted.created_at)}）。レビュー中の節は執筆者が変更"
        "できません。",
        "advice": "何も保存していません。執筆者がレビュー依頼を取り下げることはできません。"
        "editor 表示名に「修正を依頼」で差し戻してもらってから、節を開き、入力内容を貼り付けて"
        "保存してください。",
        "heading": "下書きの節（改）",
        "body": "最初の段落。\n\nタブBで書いた段落。",
    }
    page = response.content.decode()
    assert "最初の段落。タブAの一文。" in page  # what tab A saved, to compare
    assert f'href="{change_url(section)}"' in page
    assert state_of(section) == before
    assert not SectionAutosave.objects.exists()


def test_a_save_after_an_editor_approved_the_section_says_who_and_whom_to_ask(
    client, author, editor
):
    section = make_section(make_report(), author=author, body="本文。")
    started_from = section.version
    workflow.submit(section, by=author)
    workflow.approve(section, by=editor)
    approved = section.transitions.get(action="approve")
    before = state_of(section)
    client.force_login(author)

    response = client.post(
        change_url(section), form_data(section, body="本文。追記。", base_version=started_from)
    )

    assert response.status_code == 409
    told = given_back(response)
    assert (told["reason"], told["advice"], told["body"]) == (
        f"このページを開いたあとで、editor 表示名 さんがこの節を承認しました"
        f"（{site_time(approved.created_at)}）。承認された節は執筆者が変更できません。",
        "何も保存していません。editor 表示名に再編集できるよう差し戻してもらってから、"
        "節を開き、入力内容を貼り付けて保存してください。",
        "本文。追記。",
    )
    assert state_of(section) == before


def test_a_save_from_the_former_writers_tab_after_the_section_was_given_away(
    client, author, coauthor, editor
):
    report = make_report()
    make_writer_of(report, coauthor)
    section = make_section(report, author=author, body="本文。")
    client.force_login(author)
    client.post(change_url(section), form_data(section, body="執筆者の本文。"))  # a revision
    section.refresh_from_db()
    started_from = section.version
    client.force_login(editor)
    client.post(change_url(section), form_data(section, author=coauthor.pk))
    handover = Version.objects.get_for_object(section).first().revision
    before = state_of(section)
    client.force_login(author)

    response = client.post(
        change_url(section),
        form_data(section, author=author.pk, body="書き足した本文。", base_version=started_from),
    )

    assert response.status_code == 409
    told = given_back(response)
    assert (told["reason"], told["advice"], told["body"]) == (
        "このページを開いたあとで、editor 表示名 さんがこの節の執筆者を coauthor 表示名 "
        f"さんに変えました（{site_time(handover.date_created)}）。この節を変更できるのは、"
        "その執筆者と編集者だけです。",
        "何も保存していません。入力内容を節に入れる必要があれば、コピーして coauthor 表示名 "
        "さんに送ってください。",
        "書き足した本文。",
    )
    assert "執筆者の本文。" not in response.content.decode()  # no longer theirs to read
    assert state_of(section) == before


def test_an_editors_tab_opened_before_the_section_was_given_away_meets_the_conflict(
    client, author, coauthor, editor
):
    report = make_report()
    make_writer_of(report, coauthor)
    section = make_section(report, author=author, body="本文。")
    started_from = section.version
    client.force_login(make_user("chief", group="Editors"))
    client.post(change_url(section), form_data(section, author=coauthor.pk))
    client.force_login(editor)

    response = client.post(
        change_url(section), form_data(section, body="編集者の直し。", base_version=started_from)
    )

    # An editor may still change it: the ordinary conflict, which shows both texts.
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert errors[0].startswith("あなたが編集を始めたあとで、chief 表示名 さんがこの節を保存")
    section.refresh_from_db()
    assert (section.author, section.body) == (coauthor, "本文。")


def test_a_save_from_a_tab_opened_before_the_section_went_to_the_trash(client, author):
    section = make_section(make_report(), author=author, body="本文。")
    started_from = section.version
    trash.move_to_trash(section, by=author)
    section = Section.all_objects.get(pk=section.pk)
    client.force_login(author)

    response = client.post(
        change_url(section), form_data(section, body="本文。追記。", base_version=started_from)
    )

    assert response.status_code == 409
    told = given_back(response)
    assert (told["reason"], told["body"]) == (
        "別のタブかウィンドウで、このページを開いたあとにあなたがこの節をゴミ箱に移しました"
        f"（{site_time(section.trashed_at)}）。",
        "本文。追記。",
    )
    assert told["advice"].startswith("何も保存していません。編集者ならゴミ箱から元に戻せます。")
    assert Section.all_objects.get(pk=section.pk).body == "本文。"


def test_a_save_into_a_section_never_theirs_is_still_refused_as_such(client, author, coauthor):
    section = make_section(make_report(), author=coauthor, body="元の本文")
    make_writer_of(section.report, author)
    client.force_login(author)

    response = client.post(
        change_url(section), form_data(section, body="乗っ取り", base_version=section.version - 1)
    )

    assert response.status_code == 403
    assert "乗っ取り" not in response.content.decode()


def test_autosave_tells_a_section_submitted_since_from_an_expired_login(client, author):
    section = make_section(make_report(), author=author, body="最初の段落。")
    started_from = section.version
    client.force_login(author)
    workflow.submit(section, by=author)
    submitted = section.transitions.get()
    url = reverse("admin:blog_section_autosave", args=[section.pk])
    typed = {"body": "最初の段落。タブBの段落。", "base_version": started_from}

    refused = client.post(url, typed)
    client.logout()
    logged_out = client.post(url, typed)

    assert (refused.status_code, refused.json()) == (
        409,
        {
            "error": "別のタブかウィンドウで、このページを開いたあとにあなたがこの節のレビューを"
            f"依頼しました（{site_time(submitted.created_at)}）。レビュー中の節は執筆者が変更"
            "できません。ここで入力した内容はもう保存できず、このブラウザにだけ残っています。"
            "必要な部分はコピーしておいてください。"
        },
    )
    assert logged_out.status_code == 302
    assert logged_out["Location"].startswith(reverse("admin:login"))
    assert not SectionAutosave.objects.exists()


# --- The text kept automatically, offered back and not chosen -------------------------------------


def offered_stamp(response) -> str:
    found = re.search(
        r'<input type="hidden" name="offered_autosave" value="([^"]*)" form="section_form">',
        response.content.decode(),
    )
    return html.unescape(found.group(1)) if found else ""


@pytest.fixture
def offered(client, author):
    """A section whose page offers back text kept automatically from another tab; the
    page as its writer opened it."""
    section = make_section(make_report(), author=author, heading="見出し", body="タブAの本文。")
    SectionAutosave.objects.create(
        section=section,
        user=author,
        heading="見出し",
        body="タブBで書いた大事な段落。",
        base_version=section.version,
    )
    client.force_login(author)
    page = client.get(change_url(section))
    stamp = offered_stamp(page)
    assert (page.context["autosave"].body, bool(stamp)) == ("タブBで書いた大事な段落。", True)
    return section, stamp


def test_a_save_without_choosing_keeps_the_text_offered_back_and_says_so(client, offered):
    section, stamp = offered
    kept = SectionAutosave.objects.get()

    response = client.post(
        change_url(section),
        form_data(section, body="タブAの本文。もう一文。", offered_autosave=stamp, _continue="1"),
        follow=True,
    )

    section.refresh_from_db()
    assert section.body == "タブAの本文。もう一文。"
    assert (
        f"{site_time(kept.saved_at)} に自動保存された見出しと本文を戻さずに保存しました。"
        "自動保存された内容は消していません。節のページの上部に引き続き表示しています。"
    ) in messages_of(response)
    assert response.context["autosave"].body == "タブBで書いた大事な段落。"
    assert offered_stamp(response) == stamp  # offered again, over the new text


def test_a_submission_without_choosing_keeps_the_text_offered_back_to_copy(client, offered):
    section, stamp = offered

    response = client.post(
        change_url(section),
        form_data(section, offered_autosave=stamp, _submit_for_review="1"),
        follow=True,
    )

    section.refresh_from_db()
    assert section.status == "in_review"
    page = response.content.decode()
    assert "この節はいま編集できないため、必要な部分をコピーしておくか、破棄してください。" in page
    assert re.search(r'<textarea id="kept-body"[^>]*>\s*タブBで書いた大事な段落。</textarea>', page)
    assert "エディタに戻す" not in page
    assert offered_stamp(response) == ""  # nothing to put back into a locked section


def test_a_refused_save_still_offers_back_the_text_its_page_offered(client, offered):
    section, stamp = offered

    refused = client.post(
        change_url(section), form_data(section, heading="", offered_autosave=stamp)
    )

    assert refused.context["adminform"].form.errors["heading"]
    assert offered_stamp(refused) == stamp
    assert SectionAutosave.objects.get().body == "タブBで書いた大事な段落。"


@pytest.mark.parametrize(
    ("offer", "body"),
    [
        ("", "タブAの本文。もう一文。"),  # not on the page, or put back: it goes with the offer
        ("2026-01-01T00:00:00+00:00", "タブAの本文。もう一文。"),  # kept again since offered
        ("as offered", "タブBで書いた大事な段落。"),  # the text saved is the text kept
    ],
    ids=["not-offered", "kept-again-since", "saved-as-kept"],
)
def test_a_save_drops_a_kept_text_it_takes_the_place_of(client, offered, offer, body):
    section, stamp = offered
    offer = stamp if offer == "as offered" else offer

    client.post(change_url(section), form_data(section, body=body, offered_autosave=offer))

    section.refresh_from_db()
    assert section.body == body
    assert not SectionAutosave.objects.exists()


def test_admin_save_leaves_a_revision_with_its_author(client, author):
    section = make_section(make_report(), author=author)
    client.force_login(author)

    client.post(change_url(section), form_data(section, body="一回目"))
    section.refresh_from_db()
    client.post(change_url(section), form_data(section, body="二回目"))

    versions = Version.objects.get_for_object(section)
    assert [v.field_dict["body"] for v in versions] == ["二回目", "一回目"]
    assert {v.revision.user for v in versions} == {author}


def test_the_history_button_opens_the_revisions(client, author):
    section = make_section(make_report(), author=author)
    client.force_login(author)

    history = client.get(reverse("admin:blog_section_history", args=[section.pk]))

    assert history.status_code == 302
    assert history["Location"] == reverse("admin:blog_section_revisions", args=[section.pk])
    # Still the revisions' own refusal for someone who may not read the section.
    client.force_login(make_user(group="Writers"))
    refused = client.get(history["Location"])
    assert refused.status_code == 403


def test_a_save_with_nothing_changed_leaves_no_history_entry(client, author):
    section = make_section(make_report(), author=author)
    client.force_login(author)
    client.post(change_url(section), form_data(section, body="一回目"))
    section.refresh_from_db()

    client.post(change_url(section), form_data(section))

    entries = LogEntry.objects.filter(object_id=str(section.pk))
    assert [entry.get_change_message() for entry in entries] == ["本文 を変更しました。"]


def test_the_history_names_changed_fields_in_japanese(client, editor):
    speaker = make_speaker(name="Lin Sun")
    client.force_login(make_user(is_superuser=True, group="Editors"))
    url = reverse("admin:conference_speaker_change", args=[speaker.pk])
    data = form_values(client.get(url).content.decode(), "speaker_form")

    client.post(url, {**data, "name": "Lin Sun (Solo.io)"})

    entry = LogEntry.objects.get(object_id=str(speaker.pk))
    assert entry.get_change_message() == "名前 を変更しました。"


def test_autosave_keeps_text_without_a_revision(client, author):
    section = make_section(make_report(), author=author)
    client.force_login(author)
    url = reverse("admin:blog_section_autosave", args=[section.pk])

    response = client.post(url, {"body": "途中まで書いた文", "base_version": section.version})

    assert response.status_code == 200
    assert response.json()["stale"] is False
    assert SectionAutosave.objects.get(section=section, user=author).body == "途中まで書いた文"
    assert Version.objects.get_for_object(section).count() == 0
    page = client.get(change_url(section))
    assert page.context["autosave"].body == "途中まで書いた文"


def test_autosave_keeps_the_heading_too_and_offers_a_changed_heading_back(client, author):
    section = make_section(make_report(), author=author, heading="元の見出し", body="本文")
    client.force_login(author)
    url = reverse("admin:blog_section_autosave", args=[section.pk])

    client.post(url, {"heading": " 直した見出し ", "body": "本文", "base_version": section.version})

    kept = SectionAutosave.objects.get(section=section, user=author)
    assert (kept.heading, kept.body) == ("直した見出し", "本文")
    page = client.get(change_url(section))
    assert page.context["autosave"] == kept  # offered though the text itself is unchanged
    assert page.context["autosave"].typed == {"heading": "直した見出し", "body": "本文"}
    assert 'id="autosaved-text"' in page.content.decode()


def test_autosave_of_what_the_page_shows_is_not_offered(client, author):
    section = make_section(make_report(), author=author, heading="見出し", body="本文")
    client.force_login(author)
    client.post(
        reverse("admin:blog_section_autosave", args=[section.pk]),
        {"heading": "見出し", "body": "本文", "base_version": section.version},
    )

    assert client.get(change_url(section)).context["autosave"] is None


def test_autosave_differing_only_in_line_ends_and_outer_spaces_is_not_offered(client, author):
    section = make_section(make_report(), author=author, heading="見出し", body="一行目\n二行目")
    SectionAutosave.objects.create(
        section=section,
        user=author,
        heading="見出し ",
        body="一行目\r\n二行目\r\n",
        base_version=section.version,
    )
    client.force_login(author)

    page = client.get(change_url(section))

    assert (page.context["autosave"], "data-autosave-offer" in page.content.decode()) == (
        None,
        False,
    )


def test_autosave_differing_only_by_a_caption_placeholder_the_save_left_out_is_not_offered(
    client, author
):
    photo_reference = "![会場](photo:1{})"
    section = make_section(make_report(), author=author, body=photo_reference.format(""))
    SectionAutosave.objects.create(
        section=section,
        user=author,
        heading=section.heading,
        body=photo_reference.format(' "キャプション（任意）"'),
        base_version=section.version,
    )
    client.force_login(author)

    assert client.get(change_url(section)).context["autosave"] is None


def test_a_refused_save_shows_the_typed_text_and_no_autosave_over_it(client, author):
    section = make_section(make_report(), author=author, heading="見出し", body="保存した本文")
    client.force_login(author)
    # Kept a few seconds before the save was pressed: older than what was sent.
    client.post(
        reverse("admin:blog_section_autosave", args=[section.pk]),
        {"heading": "見出し", "body": "書きかけの本文", "base_version": section.version},
    )

    refused = client.post(
        change_url(section), form_data(section, heading="長" * 201, body="書きかけの本文の続き")
    )

    page = refused.content.decode()
    assert (
        refused.status_code,
        refused.context["autosave"],
        "data-autosave-offer" in page,
        form_values(page, "section_form")["body"],
    ) == (200, None, False, ["書きかけの本文の続き"])
    # Opened again (after an expired login, say), the page offers what was kept: it differs
    # from the saved text.
    reopened = client.get(change_url(section))
    assert (
        reopened.context["autosave"].body,
        "data-autosave-offer" in reopened.content.decode(),
    ) == (
        "書きかけの本文",
        True,
    )


def test_autosave_of_an_over_long_heading_is_refused_and_keeps_nothing(client, author):
    section = make_section(make_report(), author=author)
    client.force_login(author)

    response = client.post(
        reverse("admin:blog_section_autosave", args=[section.pk]),
        {"heading": "長" * 201, "body": "本文", "base_version": section.version},
    )

    assert response.status_code == 400
    assert response.json()["error"] == "入力内容を自動保存できませんでした。"
    assert not SectionAutosave.objects.exists()


def test_discarding_the_autosave_drops_only_ones_own_and_keeps_the_section(client, author, editor):
    section = make_section(make_report(), author=author, heading="見出し", body="本文")
    mine = SectionAutosave.objects.create(
        section=section, user=author, heading="途中", body="途中", base_version=section.version
    )
    SectionAutosave.objects.create(
        section=section, user=editor, body="編集者の途中", base_version=1
    )
    client.force_login(author)
    url = reverse("admin:blog_section_discard_autosave", args=[section.pk])

    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)

    assert response.redirect_chain[-1][0] == change_url(section)
    assert "自動保存された見出しと本文を破棄しました。" in response.content.decode()
    assert response.context["autosave"] is None
    assert not SectionAutosave.objects.filter(pk=mine.pk).exists()
    assert SectionAutosave.objects.filter(user=editor).exists()
    section.refresh_from_db()
    assert (section.heading, section.body) == ("見出し", "本文")


def test_text_kept_before_headings_were_kept_gets_the_sections_heading(author):
    keep_the_current_headings = importlib.import_module(
        "blog.migrations.0013_autosave_keeps_heading"
    ).keep_the_current_headings
    section = make_section(make_report(), author=author, heading="今の見出し")
    SectionAutosave.objects.create(section=section, user=author, body="途中", base_version=1)

    keep_the_current_headings(django_apps, None)

    assert SectionAutosave.objects.get().heading == "今の見出し"


def test_autosave_is_refused_on_another_writers_section(client, author, coauthor):
    section = make_section(make_report(), author=coauthor)
    client.force_login(author)

    response = client.post(
        reverse("admin:blog_section_autosave", args=[section.pk]),
        {"body": "x", "base_version": section.version},
    )

    assert response.status_code == 403
    assert SectionAutosave.objects.count() == 0


def test_autosave_repeats_update_one_row(client, author):
    section = make_section(make_report(), author=author)
    client.force_login(author)
    url = reverse("admin:blog_section_autosave", args=[section.pk])

    for text in ["一", "一二", "一二三"]:
        client.post(url, {"body": text, "base_version": section.version})

    assert list(SectionAutosave.objects.values_list("body", flat=True)) == ["一二三"]


def test_real_save_clears_the_autosave(client, author):
    section = make_section(make_report(), author=author)
    client.force_login(author)
    client.post(
        reverse("admin:blog_section_autosave", args=[section.pk]),
        {"body": "途中", "base_version": section.version},
    )

    client.post(change_url(section), form_data(section, body="完成"))

    assert SectionAutosave.objects.count() == 0


# --- Review in the admin -------------------------------------------------------------------------


def test_save_and_submit_in_one_click(client, author):
    section = make_section(make_report(), author=author)
    client.force_login(author)

    response = client.post(
        change_url(section), form_data(section, body="完成した本文", _submit_for_review="1")
    )

    assert response.status_code == 302
    section.refresh_from_db()
    assert (section.body, section.status) == ("完成した本文", "in_review")


def test_a_new_section_without_text_is_kept_as_a_draft_not_sent_for_review(client, author):
    report = make_report()
    make_writer_of(report, author)
    client.force_login(author)

    response = add_through_the_form(
        client, report, heading="本文なしの節🎉", body="  \n", _submit_for_review="1"
    )

    section = Section.objects.get(heading="本文なしの節🎉")
    assert section.status == "draft"
    assert response.url == change_url(section)  # back to the section, to write its text
    assert messages_of(client.get(response.url))[0].startswith("この節にはまだ本文がありません")


def test_editor_request_changes_without_comment_is_refused(client, author, editor):
    section = make_section(make_report(), author=author, status="in_review")
    client.force_login(editor)
    url = reverse("admin:blog_section_transition", args=[section.pk, "request_changes"])

    response = client.post(url, {"comment": ""}, follow=True)

    assert messages_of(response) == ["どこを直すべきか書いてください。コメントは必須です。"]
    section.refresh_from_db()
    assert section.status == "in_review"


def test_writer_sees_the_editors_request_in_the_thread(client, author, editor):
    section = make_section(make_report(), author=author, status="in_review")
    client.force_login(editor)
    client.post(
        reverse("admin:blog_section_transition", args=[section.pk, "request_changes"]),
        {"comment": "数字の出典を足してください"},
    )
    client.force_login(author)

    html = client.get(change_url(section)).content.decode()

    assert "数字の出典を足してください" in html
    assert "修正依頼中" in html


@pytest.mark.parametrize(
    ("address", "told"),
    [
        ("author@example.com", "メールで知らせました: author 表示名。"),
        ("", "メールアドレスが登録されていないため、知らせていません: author 表示名。"),
    ],
)
def test_an_approval_says_who_was_emailed_and_who_could_not_be(
    client, author, editor, mailoutbox, django_capture_on_commit_callbacks, address, told
):
    author.email = address
    author.save()
    section = make_section(make_report(), author=author, status="in_review")
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:blog_section_transition", args=[section.pk, "approve"]), follow=True
        )

    assert messages_of(response) == ["承認しました。", told]
    assert [message.to for message in mailoutbox] == ([[address]] if address else [])


def test_a_submission_names_the_editors_it_mails(
    client, author, mailoutbox, django_capture_on_commit_callbacks
):
    make_user("chief", group="Editors", email="chief@example.com")
    make_user("deputy", group="Editors")
    section = make_section(make_report(), author=author)
    client.force_login(author)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            change_url(section),
            form_data(section, body="完成した本文", _submit_for_review="1"),
            follow=True,
        )

    assert messages_of(response)[-3:] == [
        "レビューを依頼しました。",
        "メールで知らせました: chief 表示名。",
        "メールアドレスが登録されていないため、知らせていません: deputy 表示名。",
    ]
    assert [message.to for message in mailoutbox] == [["chief@example.com"]]


def test_writer_cannot_approve_through_the_admin_url(client, author):
    section = make_section(make_report(), author=author, status="in_review")
    client.force_login(author)

    response = client.post(
        reverse("admin:blog_section_transition", args=[section.pk, "approve"]), follow=True
    )

    assert messages_of(response) == ["節を承認できるのは編集者だけです。"]
    section.refresh_from_db()
    assert section.status == "in_review"


def test_transition_buttons_show_only_when_allowed(client, author, editor):
    section = make_section(make_report(), author=author, status="in_review")
    approve = reverse("admin:blog_section_transition", args=[section.pk, "approve"])

    client.force_login(author)
    writer_page = client.get(change_url(section)).content.decode()
    client.force_login(editor)
    editor_page = client.get(change_url(section)).content.decode()

    assert approve not in writer_page
    assert approve in editor_page


def test_comment_thread_is_for_the_author_and_editors(client, author, coauthor, editor):
    section = make_section(make_report(), author=author)
    url = reverse("admin:blog_section_comment", args=[section.pk])

    client.force_login(author)
    client.post(url, {"message": "見出しの案を2つ考えました"})
    client.force_login(editor)
    client.post(url, {"message": "後者が良いと思います"})
    client.force_login(coauthor)
    refused = client.post(url, {"message": "横から失礼"})

    assert refused.status_code == 403
    assert list(ReviewComment.objects.values_list("body", flat=True)) == [
        "見出しの案を2つ考えました",
        "後者が良いと思います",
    ]


def test_editor_assigns_a_reviewer(client, author, editor):
    section = make_section(make_report(), author=author)
    client.force_login(editor)

    response = client.post(change_url(section), form_data(section, reviewer=editor.pk))

    assert response.status_code == 302
    section.refresh_from_db()
    assert section.reviewer == editor


# --- Revisions -----------------------------------------------------------------------------------


def test_editor_compares_and_restores_a_revision(client, author, editor):
    section = make_section(make_report(), author=author, body="下書き")
    client.force_login(editor)
    client.post(change_url(section), form_data(section, body="一行目\n古い二行目"))
    section.refresh_from_db()
    client.post(change_url(section), form_data(section, body="一行目\n新しい二行目"))
    versions = list(Version.objects.get_for_object(section))
    revisions_url = reverse("admin:blog_section_revisions", args=[section.pk])

    compared = client.get(revisions_url)
    client.post(reverse("admin:blog_section_restore", args=[section.pk, versions[1].pk]))

    html = compared.content.decode()
    assert re.search(
        r'<li class="diff__removed">.*<span class="diff__text">古い二行目</span></li>', html
    )
    assert re.search(
        r'<li class="diff__added">.*<span class="diff__text">新しい二行目</span></li>', html
    )
    section.refresh_from_db()
    assert section.body == "一行目\n古い二行目"
    assert Version.objects.get_for_object(section).count() == 3


def test_writer_cannot_restore_a_revision(client, author):
    section = make_section(make_report(), author=author, body="一")
    client.force_login(author)
    client.post(change_url(section), form_data(section, body="二"))
    version = Version.objects.get_for_object(section).first()

    response = client.post(reverse("admin:blog_section_restore", args=[section.pk, version.pk]))

    assert response.status_code == 403


# --- What changed since a request for changes ---------------------------------------------------


def resubmitted_section(author, editor, *, new_body: str | None, report=None) -> Section:
    """A section its editor asked changes of, then its writer submitted again, having saved
    `new_body` in between (or nothing)."""
    section = make_section(report or make_report(), author=author, heading="再提出の節")
    section.body = "一行目\n古い二行目"
    editing.save_section(section, by=author)
    workflow.submit(section, by=author)
    workflow.request_changes(section, by=editor, comment="二行目の出典を足してください")
    if new_body is not None:
        section.body = new_body
        editing.save_section(section, by=author)
    workflow.submit(section, by=author)
    return section


def compare_links(html: str) -> list[str]:
    return re.findall(r'<a class="since-request" href="([^"]+)"', html)


def test_an_editor_sees_the_request_and_opens_what_changed_since(client, author, editor):
    section = resubmitted_section(author, editor, new_body="一行目\n新しい二行目（出典あり）")
    older, newer = Version.objects.get_for_object(section).order_by("pk")
    client.force_login(editor)

    html = client.get(change_url(section)).content.decode()
    (link,) = compare_links(html.replace("&amp;", "&"))
    compared = client.get(link).content.decode()

    panel = html.split('id="workflow-title"')[1].split("</section>")[0]
    assert f"{display_name_of(editor)} さんが" in panel
    assert "に修正を依頼しました:" in panel
    assert "二行目の出典を足してください" in panel
    assert "依頼後の変更を見る" in panel
    revisions_url = reverse("admin:blog_section_revisions", args=[section.pk])
    assert link == f"{revisions_url}?older={older.pk}&newer={newer.pk}#compare"
    assert re.search(
        r'<li class="diff__removed">.*<span class="diff__text">古い二行目</span>', compared
    )
    assert re.search(
        r'<li class="diff__added">.*<span class="diff__text">新しい二行目（出典あり）</span>',
        compared,
    )


def test_a_resubmission_without_a_change_says_so_instead_of_linking(client, author, editor):
    section = resubmitted_section(author, editor, new_body=None)
    client.force_login(editor)

    html = client.get(change_url(section)).content.decode()

    panel = html.split('id="workflow-title"')[1].split("</section>")[0]
    assert compare_links(panel) == []
    assert "依頼の後、本文は変わっていません。" in panel


def test_a_section_with_no_version_from_before_the_request_says_why_it_cannot_compare(
    client, author, editor
):
    section = make_section(make_report(), author=author, status="in_review")  # no version
    workflow.request_changes(section, by=editor, comment="二行目の出典を足してください")
    section.body = "直した本文"
    editing.save_section(section, by=author)
    workflow.submit(section, by=author)
    client.force_login(editor)

    html = client.get(change_url(section)).content.decode()

    panel = html.split('id="workflow-title"')[1].split("</section>")[0]
    assert compare_links(panel) == []
    assert "依頼の時点の版が記録されていないため比べられません。" in panel
    assert reverse("admin:blog_section_revisions", args=[section.pk]) in panel


def test_a_section_sent_back_shows_the_request_as_before_not_what_changed(client, author, editor):
    section = resubmitted_section(author, editor, new_body="一行目\n新しい二行目")
    workflow.request_changes(section, by=editor, comment="もう一度お願いします")
    client.force_login(author)

    html = client.get(change_url(section)).content.decode()

    panel = html.split('id="workflow-title"')[1].split("</section>")[0]
    assert "さんからの修正依頼:" in panel
    assert "もう一度お願いします" in panel
    assert "に修正を依頼しました" not in panel
    assert "依頼の後、本文は変わっていません。" not in panel


def test_a_writer_sees_what_changed_since_the_request_on_their_own_section(client, author, editor):
    section = resubmitted_section(author, editor, new_body="一行目\n新しい二行目")
    client.force_login(author)

    html = client.get(change_url(section)).content.decode()
    (link,) = compare_links(html.replace("&amp;", "&"))

    assert client.get(link).status_code == 200


@pytest.mark.parametrize("other", ["coauthor", "writer_of_another_report"])
def test_another_writer_cannot_open_the_comparison(client, author, coauthor, editor, other):
    section = resubmitted_section(author, editor, new_body="一行目\n新しい二行目")
    if other == "coauthor":
        make_section(section.report, author=coauthor)  # a writer of the same report
    else:
        make_section(make_report(), author=coauthor)
    older, newer = Version.objects.get_for_object(section).order_by("pk")
    client.force_login(coauthor)

    response = client.get(
        reverse("admin:blog_section_revisions", args=[section.pk]),
        {"older": older.pk, "newer": newer.pk},
    )

    assert response.status_code == 403
    assert "新しい二行目" not in response.content.decode()


# --- Publishing in the admin ---------------------------------------------------------------------


def test_publish_button_refuses_unapproved_report(client, author, editor):
    report = make_report()
    make_section(report, author=author, status="in_review", heading="途中の節")
    client.force_login(editor)

    response = client.post(reverse("admin:blog_report_publish", args=[report.pk]), follow=True)

    assert messages_of(response) == [
        "すべての節が今の内容で承認されるまで公開できません。"
        "公開できない節: 「途中の節」: まだ承認されていません（レビュー中）"
    ]
    report.refresh_from_db()
    assert report.status == "draft"


def test_editor_schedules_a_report(client, author, editor):
    report = make_report()
    make_section(report, author=author, status="approved")
    client.force_login(editor)
    at = timezone.localtime(timezone.now() + datetime.timedelta(days=1)).replace(
        second=0, microsecond=0
    )

    client.post(
        reverse("admin:blog_report_publish", args=[report.pk]),
        {"schedule": "1", "publish_at": at.strftime("%Y-%m-%dT%H:%M")},
    )

    report.refresh_from_db()
    assert (report.status, report.published_at) == ("published", at)
    assert report.is_scheduled is True


def test_a_refused_schedule_comes_back_with_the_time_typed(client, author, editor):
    report = make_report()
    make_section(report, author=author, status="approved")
    client.force_login(editor)

    refused = client.post(
        reverse("admin:blog_report_publish", args=[report.pk]),
        {"schedule": "1", "publish_at": "2020-01-06T10:00"},
        follow=True,
    )

    assert messages_of(refused) == ["予約公開には未来の日時を指定してください。"]
    page = refused.content.decode()
    assert re.search(
        r'<input type="datetime-local" name="publish_at" value="2020-01-06T10:00"', page
    )
    report.refresh_from_db()
    assert report.status == "draft"


@pytest.mark.parametrize(
    ("time_zone", "zone", "abbreviation"),
    [
        ("Asia/Tokyo", "Asia/Tokyo (JST)", "JST"),
        ("America/New_York", "America/New_York (EST)", "EST"),
    ],
)
def test_a_schedule_says_in_which_time_zone_it_is(
    client, settings, author, editor, time_zone, zone, abbreviation
):
    settings.TIME_ZONE = time_zone
    report = make_report(title="予約するレポート")
    make_section(report, author=author, status="approved")
    client.force_login(editor)
    report_url = reverse("admin:blog_report_change", args=[report.pk])

    form = client.get(report_url).content.decode()
    scheduled = client.post(
        reverse("admin:blog_report_publish", args=[report.pk]),
        {"schedule": "1", "publish_at": "2099-01-06T10:00"},
        follow=True,
    )
    home = client.get(reverse("admin:index")).content.decode()
    listed = client.get(reverse("admin:blog_report_changelist")).content.decode()
    preview = client.get(reverse("blog:report_preview", args=[report.pk])).content.decode()

    assert re.search(r'<input[^>]*aria-describedby="id_publish_at_helptext"', form)
    assert (
        f'<span class="help" id="id_publish_at_helptext">サイトのタイムゾーン {zone} の時刻です。'
        "</span>"
    ) in form
    assert messages_of(scheduled) == [
        f"予約しました。2099-01-06 10:00 {abbreviation} から読者に公開されます。"
    ]
    assert f"2099-01-06 10:00 {abbreviation}</p>" in scheduled.content.decode()
    assert f"2099-01-06 10:00 {abbreviation} に公開" in home
    assert f'<span class="nowrap">10:00 {abbreviation}</span></time>' in listed
    assert f"このレポートは 2099-01-06 10:00 {abbreviation} に公開予定です。" in preview


def test_cancelling_a_schedule_is_told_and_recorded_as_such(client, author, editor):
    scheduled = make_report(
        status="published", published_at=timezone.now() + datetime.timedelta(days=1)
    )
    published = make_report(published=True)
    client.force_login(editor)
    home = client.get(reverse("admin:index")).content.decode()
    assert re.search(r'id="scheduled-title".*?' + re.escape(scheduled.title), home, re.S)
    assert published.title not in re.search(r'id="scheduled-title".*?</section>', home, re.S)[0]

    cancelled = client.post(
        reverse("admin:blog_report_unpublish", args=[scheduled.pk]), follow=True
    )
    unpublished = client.post(
        reverse("admin:blog_report_unpublish", args=[published.pk]), follow=True
    )

    assert messages_of(cancelled) == [
        "予約を取り消しました。レポートは執筆中に戻り、公開されません。"
    ]
    assert messages_of(unpublished) == ["公開を取り下げました。読者からは見えなくなりました。"]
    actions = {
        report.title: list(report.transitions.values_list("action", flat=True))
        for report in (scheduled, published)
    }
    assert actions == {scheduled.title: ["cancel_schedule"], published.title: ["unpublish"]}
    assert 'id="scheduled-title"' not in client.get(reverse("admin:index")).content.decode()


def test_unpublishing_asks_first_and_changes_nothing_until_confirmed(client, author, editor):
    report = make_report(published=True, title="読まれているレポート")
    client.force_login(editor)
    change_page = client.get(reverse("admin:blog_report_change", args=[report.pk]))
    address = reverse("admin:blog_report_unpublish", args=[report.pk])
    assert (
        f'<a class="button" href="{address}">公開を取り下げる…</a>' in change_page.content.decode()
    )

    asked = client.get(address)

    page = asked.content.decode()
    assert asked.status_code == 200
    assert "「読まれているレポート」を読者から取り下げますか？" in page
    assert '<button type="submit" class="button workflow-danger">公開を取り下げる</button>' in page
    report.refresh_from_db()
    assert report.is_published
    # The confirmation's own button does it.
    client.post(address)
    report.refresh_from_db()
    assert not report.is_live


def test_only_an_editor_is_asked_to_unpublish(client, author):
    report = make_report(published=True)
    make_section(report, author=author)
    client.force_login(author)

    response = client.get(reverse("admin:blog_report_unpublish", args=[report.pk]))

    assert response.status_code == 403
    report.refresh_from_db()
    assert report.is_published


def test_a_schedule_is_cancelled_with_one_press_and_never_by_opening_its_address(client, editor):
    report = make_report(
        status="published", published_at=timezone.now() + datetime.timedelta(days=1)
    )
    client.force_login(editor)
    address = reverse("admin:blog_report_unpublish", args=[report.pk])
    change_page = client.get(reverse("admin:blog_report_change", args=[report.pk])).content
    assert f'<form method="post" action="{address}">' in change_page.decode()

    opened = client.get(address)

    assert opened.status_code == 405
    report.refresh_from_db()
    assert report.is_scheduled


def test_writer_cannot_publish(client, author):
    report = make_report()
    make_section(report, author=author, status="approved")
    client.force_login(author)

    response = client.post(reverse("admin:blog_report_publish", args=[report.pk]))

    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == "draft"


def test_report_status_is_not_a_form_field(client, editor):
    report = make_report()
    client.force_login(editor)

    response = client.get(reverse("admin:blog_report_change", args=[report.pk]))

    assert "status" not in response.context["adminform"].form.fields
    assert "published_at" not in response.context["adminform"].form.fields


# --- Preview and share links ---------------------------------------------------------------------


def test_writer_previews_the_whole_report_with_drafts_marked(client, author, coauthor, editor):
    report = make_report(title="執筆中のレポート")
    make_section(report, author=author, heading="自分の節", status="draft")
    make_section(report, author=editor, heading="編集者の節", status="approved")
    client.force_login(author)

    response = client.get(reverse("blog:report_preview", args=[report.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'class="review-marker[^"]*">(.*?)<', html) == ["未承認: 下書き"]
    assert "編集者の節" in html
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize(("persona", "expected"), [("coauthor", 403), ("outsider", 302)])
def test_preview_is_refused_to_others(client, author, coauthor, outsider, persona, expected):
    report = make_report()
    make_section(report, author=author)
    client.force_login({"coauthor": coauthor, "outsider": outsider}[persona])

    response = client.get(reverse("blog:report_preview", args=[report.pk]))

    assert response.status_code == expected


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "coauthor"])
def test_a_preview_link_of_a_published_report_sends_others_to_its_page(
    client, author, coauthor, outsider, persona
):
    report = make_report(title="公開済みのレポート", published=True)
    make_section(report, author=author, status="approved")
    if persona != "anonymous":
        client.force_login({"coauthor": coauthor, "outsider": outsider}[persona])

    response = client.get(reverse("blog:report_preview", args=[report.pk]))

    assert (response.status_code, response["Location"]) == (302, report.get_absolute_url())


def test_a_preview_link_of_a_draft_still_asks_a_reader_to_log_in(client, author):
    report = make_report(title="下書きのレポート")
    make_section(report, author=author)

    response = client.get(reverse("blog:report_preview", args=[report.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")


def test_editor_creates_a_share_link_that_works_without_an_account(client, editor, author):
    report = make_report(title="共有するレポート")
    make_section(report, author=author)
    client.force_login(editor)
    client.post(reverse("admin:blog_report_share", args=[report.pk]), {"valid_for": 3})
    link = ShareLink.objects.get(report=report)
    client.logout()

    response = client.get(reverse("blog:shared_preview", args=[token_for(link)]))

    assert response.status_code == 200
    assert "共有するレポート" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert link.expires_at.date() == (timezone.now() + datetime.timedelta(days=3)).date()


def test_expired_revoked_and_forged_share_links_are_refused(client, editor):
    report = make_report(title="秘密")
    expired = ShareLink.objects.create(
        report=report, created_by=editor, expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    revoked = ShareLink.objects.create(
        report=report,
        created_by=editor,
        expires_at=timezone.now() + datetime.timedelta(days=1),
        revoked_at=timezone.now(),
    )
    valid = ShareLink.objects.create(
        report=report, created_by=editor, expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    forged = token_for(valid)[:-2] + "xx"

    for token in [forged, "not-a-token"]:
        response = client.get(reverse("blog:shared_preview", args=[token]))
        assert response.status_code == 404
        assert "秘密" not in response.content.decode()
    # A real link that has ended says so, and shows nothing of the draft.
    for link, reason in [
        (expired, " JST まで使えるリンクでした"),
        (revoked, " JST にこのリンクを取り消し"),
    ]:
        response = client.get(reverse("blog:shared_preview", args=[token_for(link)]))
        page = response.content.decode()
        assert response.status_code == 410
        assert "このプレビューリンクは使えなくなりました" in page
        assert reason in page and "新しいリンクを" in page
        assert "秘密" not in page
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert "no-store" in response["Cache-Control"]


def test_an_ended_share_link_of_a_published_report_leads_to_it(client, editor):
    report = make_report(title="公開済みのレポート", published=True)
    link = ShareLink.objects.create(
        report=report, created_by=editor, expires_at=timezone.now() - datetime.timedelta(days=1)
    )

    response = client.get(reverse("blog:shared_preview", args=[token_for(link)]))

    assert response.status_code == 410
    assert f'href="{report.get_absolute_url()}">公開済みのレポート</a>' in response.content.decode()


def test_share_links_say_when_and_by_whom_they_were_made(client, editor):
    report = make_report()
    ShareLink.objects.create(
        report=report, created_by=editor, expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    client.force_login(editor)

    page = client.get(reverse("admin:blog_report_change", args=[report.pk])).content.decode()

    assert re.search(
        r'<td data-label="作成">\d{4}-\d\d-\d\d \d\d:\d\d JST · editor 表示名</td>', page
    )


def test_editor_revokes_a_share_link(client, editor):
    report = make_report()
    link = ShareLink.objects.create(
        report=report, created_by=editor, expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    client.force_login(editor)

    client.post(reverse("admin:blog_report_revoke", args=[report.pk, link.pk]))
    client.logout()

    assert client.get(reverse("blog:shared_preview", args=[token_for(link)])).status_code == 410


def test_a_share_link_s_message_is_said_in_the_share_box(client, editor):
    report = make_report()
    client.force_login(editor)

    response = client.post(
        reverse("admin:blog_report_share", args=[report.pk]), {"valid_for": 3}, follow=True
    )

    html = response.content.decode()
    box = html.split('id="share-links"', 1)[1].split("</section>", 1)[0]
    assert 'role="status">共有リンクを作成しました: http://testserver/' in box
    assert html.count("共有リンクを作成しました") == 1
    assert response.redirect_chain[-1][0].endswith("#share-links")


# --- The admin home ------------------------------------------------------------------------------


def test_editor_home_lists_what_waits_for_review_oldest_first(client, author, editor):
    report = make_report()
    newer = make_section(
        report, author=author, status="in_review", heading="新しい依頼", submitted_at=timezone.now()
    )
    older = make_section(
        report,
        author=author,
        status="in_review",
        heading="古い依頼",
        submitted_at=timezone.now() - datetime.timedelta(days=1),
        reviewer=editor,
    )
    make_section(report, author=author, status="approved")
    client.force_login(editor)

    html = client.get(reverse("admin:index")).content.decode()

    waiting = html.split('id="awaiting-title"')[1].split("</table>")[0]
    assert re.findall(r"/admin/blog/section/(\d+)/change/", waiting) == [
        str(older.pk),
        str(newer.pk),
    ]
    assert "レビュー待ち（2 件）" in html
    assert "1 / 3" in html


def test_editor_home_marks_a_resubmitted_section_with_what_changed_since(client, author, editor):
    report = make_report()
    changed = resubmitted_section(author, editor, new_body="一行目\n新しい二行目", report=report)
    unchanged = resubmitted_section(author, editor, new_body=None, report=report)
    first_time = make_section(
        report,
        author=author,
        status="in_review",
        heading="初めての提出",
        submitted_at=timezone.now(),
    )
    older, newer = Version.objects.get_for_object(changed).order_by("pk")
    client.force_login(editor)

    html = client.get(reverse("admin:index")).content.decode()

    waiting = html.split('id="awaiting-title"')[1].split("</table>")[0]
    rows = {
        int(re.search(r"/admin/blog/section/(\d+)/change/", row).group(1)): row
        for row in waiting.split("<tr>")[2:]
    }
    revisions_url = reverse("admin:blog_section_revisions", args=[changed.pk])
    assert "再提出" in rows[changed.pk]
    assert compare_links(rows[changed.pk].replace("&amp;", "&")) == [
        f"{revisions_url}?older={older.pk}&newer={newer.pk}#compare"
    ]
    assert "再提出" in rows[unchanged.pk]
    assert compare_links(rows[unchanged.pk]) == []
    assert "依頼の後、本文は変わっていません。" in rows[unchanged.pk]
    assert "再提出" not in rows[first_time.pk]


def test_editor_home_costs_the_same_queries_for_one_resubmitted_section_or_three(
    client, author, editor
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            html = client.get(reverse("admin:index")).content.decode()
        assert html.count("依頼後の変更を見る") == resubmitted
        return len(captured)

    report = make_report()
    client.force_login(editor)
    resubmitted_section(author, editor, new_body="一行目\n新しい二行目", report=report)
    resubmitted = 1
    one = queries()
    for _ in range(2):
        resubmitted_section(author, editor, new_body="一行目\n新しい二行目", report=report)
    resubmitted = 3

    assert queries() == one


def test_writer_home_lists_own_sections_with_states(client, author, coauthor):
    report = make_report()
    make_section(report, author=author, heading="私の節", status="changes_requested")
    make_section(report, author=coauthor, heading="同僚の節")
    client.force_login(author)

    html = client.get(reverse("admin:index")).content.decode()

    mine = html.split('id="mine-title"')[1].split("</table>")[0]
    assert re.findall(r'change/">(.*?)</a>', mine) == ["私の節"]
    assert "修正依頼中" in mine
    assert 'id="awaiting-title"' not in html


def test_writer_home_shows_what_the_editor_asked_for_beside_a_section_sent_back(
    client, author, editor
):
    section = make_section(make_report(), author=author, heading="私の節", status="in_review")
    workflow.move_section(section, "request_changes", by=editor, comment="最初の依頼")
    workflow.move_section(section, "submit", by=author)
    workflow.move_section(section, "request_changes", by=editor, comment="図の説明を足してください")
    client.force_login(author)

    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("admin:index")).content.decode()

    mine = html.split('id="mine-title"')[1].split("</table>")[0]
    assert f"{display_name_of(editor)}さんからの修正依頼: 図の説明を足してください" in mine
    assert "最初の依頼" not in mine
    assert len([q for q in queries if "blog_sectiontransition" in q["sql"]]) == 1


def test_writer_home_offers_each_report_they_write_for_even_before_their_first_section(
    client, author, editor
):
    new = make_report(title="新しいレポート", due_on=datetime.date(2026, 12, 20))
    make_writer_of(new, author)
    make_report(title="ほかの人のレポート")
    published = make_report(title="公開済み", published=True)
    make_writer_of(published, author)
    client.force_login(author)

    html = client.get(reverse("admin:index")).content.decode()

    panel = html.split('id="my-reports-title"')[1].split("</table>")[0]
    assert re.findall(r"<tr>\s*<td>(.*?)</td>", panel) == ["新しいレポート"]
    assert "2026-12-20" in panel
    write_here = f"/admin/blog/section/add/?report={new.pk}"
    assert f'href="{write_here}"' in panel
    form = client.get(write_here).context["adminform"].form
    assert form.initial["report"] == str(new.pk)
    client.force_login(editor)
    assert 'id="my-reports-title"' not in client.get(reverse("admin:index")).content.decode()


def test_view_on_site_leads_to_the_preview_until_the_report_is_out(client, editor, author):
    draft = make_section(make_report(), author=author)
    live = make_section(make_report(published=True), author=author, status="approved")
    client.force_login(editor)

    draft_page = client.get(change_url(draft)).content.decode()
    live_page = client.get(change_url(live)).content.decode()

    assert f'href="/preview/reports/{draft.report_id}/#{draft.anchor}"' in draft_page
    assert f'href="{live.report.get_absolute_url()}#{live.anchor}"' in live_page


def test_view_on_site_is_offered_for_conference_rows_and_tags_only_once_readers_see_them(
    client, editor, author
):
    from blog.models import Tag
    from tests.factories import make_event, make_session, make_speaker

    event = make_event(name="クラウドネイティブ会議 東京 2026")
    speaker = make_speaker(name="山田 花子")
    written, unwritten = (
        make_session(event, (speaker,), title="書かれたセッション"),
        make_session(event, title="誰も書いていないセッション"),
    )
    report = make_report(event=event)
    make_section(report, author=author, session=written, status="approved")
    tag = Tag.objects.create(name="運用")
    report.tags.add(tag)
    rows = {
        "event": (event, "conference_event"),
        "session": (written, "conference_session"),
        "speaker": (speaker, "conference_speaker"),
        "tag": (tag, "blog_tag"),
    }
    client.force_login(editor)

    def on_site_links() -> dict[str, list[str]]:
        links = {}
        for name, (row, admin_name) in rows.items():
            page = client.get(reverse(f"admin:{admin_name}_change", args=[row.pk]))
            links[name] = re.findall(r'class="viewsitelink"', page.content.decode())
        return links

    def inline_links() -> list[str]:
        page = client.get(reverse("admin:conference_event_change", args=[event.pk]))
        return re.findall(r'href="(/sessions/[^"]+)"', page.content.decode())

    assert on_site_links() == {name: [] for name in rows}  # the report is still a draft
    assert inline_links() == []

    workflow.publish(report, by=editor)

    assert on_site_links() == {name: ['class="viewsitelink"'] for name in rows}
    # The event's sessions table links each row to its admin page, which offers the site.
    assert inline_links() == []
    unwritten_page = client.get(reverse("admin:conference_session_change", args=[unwritten.pk]))
    assert 'class="viewsitelink"' not in unwritten_page.content.decode()


def test_editor_restores_a_report_revision(client, editor):
    report = make_report(title="レポート", lead="読み込まれたリード")
    url = reverse("admin:blog_report_change", args=[report.pk])
    data = {
        "title": "レポート",
        "slug": report.slug,
        "lead": "最初のリード",
        "closing": "",
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
        "sections-TOTAL_FORMS": 0,
        "sections-INITIAL_FORMS": 0,
        "photos-TOTAL_FORMS": 0,
        "photos-INITIAL_FORMS": 0,
    }
    client.force_login(editor)
    client.post(url, data)
    client.post(url, data | {"lead": "書き換えたリード"})
    first = list(Version.objects.get_for_object(report))[-1]

    client.post(reverse("admin:blog_report_restore", args=[report.pk, first.pk]))

    report.refresh_from_db()
    assert report.lead == "最初のリード"
    assert Version.objects.get_for_object(report).count() == 3


def test_editor_edit_of_an_approved_section_sends_it_back_to_review(client, author, editor):
    section = make_section(make_report(), author=author, status="in_review")
    from blog import workflow

    workflow.approve(section, by=editor)
    client.force_login(editor)

    client.post(change_url(section), form_data(section, body="承認後の修正"))

    section.refresh_from_db()
    assert (section.body, section.status, section.approved_version) == (
        "承認後の修正",
        "in_review",
        None,
    )


def test_writer_sees_only_the_reports_they_write_in(client, author, coauthor):
    mine = make_report(title="私も書くレポート")
    make_section(mine, author=author)
    theirs = make_report(title="同僚だけのレポート")
    make_section(theirs, author=coauthor, body="同僚の下書き")
    client.force_login(author)

    listing = client.get(reverse("admin:blog_report_changelist"))
    refused = client.get(reverse("admin:blog_report_change", args=[theirs.pk]))
    allowed = client.get(reverse("admin:blog_report_change", args=[mine.pk]))

    assert [r.pk for r in listing.context["cl"].result_list] == [mine.pk]
    assert refused.status_code == 403
    assert "同僚の下書き" not in refused.content.decode()
    assert allowed.status_code == 200


def test_report_page_does_not_edit_sections(client, author, editor):
    """Sections change on their own pages only: rows posted to the report page are ignored."""
    report = make_report(title="レポート")
    section = make_section(report, author=author, body="元の本文", heading="節")
    client.force_login(editor)
    page = client.get(reverse("admin:blog_report_change", args=[report.pk])).content.decode()
    assert 'name="sections-0-body"' not in page
    data = form_values(page, "report_form") | {
        "sections-TOTAL_FORMS": ["1"],
        "sections-INITIAL_FORMS": ["1"],
        "sections-0-id": [str(section.pk)],
        "sections-0-body": ["報告ページから上書き"],
        "_continue": ["1"],
    }

    response = client.post(reverse("admin:blog_report_change", args=[report.pk]), data)

    assert response.status_code == 302
    section.refresh_from_db()
    assert section.body == "元の本文"
