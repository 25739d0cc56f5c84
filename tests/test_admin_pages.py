"""The report page's table of sections, the refusal page, and names instead of logins."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blog import workflow
from blog.enums import SectionStatus
from blog.models import display_name_of
from tests.factories import make_photo, make_report, make_section, make_user, make_writer_of

pytestmark = pytest.mark.django_db


def report_url(report) -> str:
    return reverse("admin:blog_report_change", args=[report.pk])


def section_url(section) -> str:
    return reverse("admin:blog_section_change", args=[section.pk])


def test_report_page_lists_its_sections_in_a_table(client, editor, author, coauthor):
    report = make_report()
    second = make_section(report, author=coauthor, heading="二番目の節", position=2)
    first = make_section(report, author=author, heading="最初の節", position=1)
    workflow.assign_reviewer(second, editor, by=editor)
    client.force_login(editor)

    response = client.get(report_url(report))

    sections = list(response.context["sections"])
    assert sections == [first, second]
    page = response.content.decode()
    table = page[page.index('id="report-sections"') :]
    assert table.index("最初の節") < table.index("二番目の節")
    assert f'<a href="{section_url(first)}">最初の節</a>' in table
    assert f'<a href="{section_url(second)}">二番目の節</a>' in table
    assert "author 表示名" in table and "coauthor 表示名" in table
    assert "editor 表示名" in table  # the reviewer, by name
    assert ">author<" not in table  # never the login name


def test_report_page_marks_sections_waiting_for_review(client, editor, author):
    report = make_report()
    make_section(report, author=author, heading="審査待ち", status=SectionStatus.IN_REVIEW)
    make_section(report, author=author, heading="下書き", status=SectionStatus.DRAFT)
    client.force_login(editor)

    page = client.get(report_url(report)).content.decode()

    waiting_row = page[page.index('class="report-sections__waiting"') :]
    assert waiting_row.index("審査待ち") < waiting_row.index("</tr>")
    assert page.count('class="report-sections__waiting"') == 1


def test_report_page_has_no_section_editors(client, editor, author):
    report = make_report()
    make_section(report, author=author)
    client.force_login(editor)

    response = client.get(report_url(report))

    prefixes = [inline.formset.prefix for inline in response.context["inline_admin_formsets"]]
    assert "sections" not in prefixes
    assert 'name="sections-0-body"' not in response.content.decode()


def test_report_page_queries_do_not_grow_with_its_sections(client, editor):
    def queries_for(report) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(report_url(report)).status_code == 200
        return len(queries)

    client.force_login(editor)
    small = make_report(title="小")
    big = make_report(title="大")
    for report, count in [(small, 2), (big, 8)]:
        for position in range(count):
            writer = make_user(group="Writers")
            section = make_section(report, author=writer, position=position)
            workflow.assign_reviewer(section, editor, by=editor)
            make_photo(report, section)
    queries_for(small)  # warm the per-process caches (content types, permissions)

    assert queries_for(big) == queries_for(small)


def test_add_a_section_link_starts_a_section_in_this_report(client, editor):
    report = make_report()
    client.force_login(editor)

    page = client.get(report_url(report)).content.decode()
    add_url = f"{reverse('admin:blog_section_add')}?report={report.pk}"
    assert f'href="{add_url}"' in page

    form = client.get(add_url).context["adminform"].form
    assert str(form.initial["report"]) == str(report.pk)


def test_writer_outside_the_report_is_not_offered_to_add_a_section(client, author):
    report = make_report()
    other = make_report(title="別のレポート")
    make_section(other, author=author)
    client.force_login(author)

    response = client.get(report_url(report))

    assert response.status_code == 403


# --- The refusal page ---------------------------------------------------------------------------


def test_refusal_in_the_admin_is_styled_with_the_reason_and_a_way_back(client, author):
    make_section(make_report(), author=author)
    client.force_login(author)
    came_from = "http://testserver" + reverse("admin:index")

    # An editors' page: refused without a reason of its own.
    response = client.get(reverse("admin:blog_audit_trail"), HTTP_REFERER=came_from)

    assert response.status_code == 403
    page = response.content.decode()
    assert 'id="site-name"' in page  # inside the admin's frame
    assert '<li aria-current="page">この操作はできません</li>' in page  # in the admin's trail
    assert "403 Forbidden" not in page
    assert "このアカウントには、このページまたはこの操作の権限がありません。" in page
    assert f'<a class="button" href="{came_from}">前のページに戻る</a>' in page
    assert "何も変更されていません" in page


def test_refusal_never_links_back_to_another_site(client, author, coauthor):
    report = make_report()
    others = make_section(report, author=coauthor)
    make_section(report, author=author)
    client.force_login(author)

    response = client.get(section_url(others), HTTP_REFERER="https://evil.example/")

    page = response.content.decode()
    assert "evil.example" not in page
    assert f'<a class="button" href="{reverse("admin:index")}">' in page


def test_a_refused_post_changes_nothing_and_says_so_in_the_admin(client, author):
    section = make_section(make_report(), author=author, status=SectionStatus.IN_REVIEW)
    client.force_login(author)

    response = client.post(reverse("admin:blog_section_transition", args=[section.pk, "no-such"]))

    assert response.status_code == 403
    assert 'id="site-name"' in response.content.decode()
    section.refresh_from_db()
    assert section.status == SectionStatus.IN_REVIEW


def test_refusal_outside_the_admin_uses_the_readers_site(rf, author):
    from django.core.exceptions import PermissionDenied

    from cms.errors import permission_denied

    request = rf.get("/markdownx/markdownify/")
    request.user = author

    response = permission_denied(request, PermissionDenied())

    page = response.content.decode()
    assert response.status_code == 403
    assert 'id="site-name"' not in page
    assert "許可されていません" in page
    assert reverse("blog:index") in page


# --- People by their names ----------------------------------------------------------------------


def test_the_admin_welcomes_people_by_display_name(client, author):
    make_section(make_report(), author=author)
    client.force_login(author)

    page = client.get(reverse("admin:index")).content.decode()

    assert "<strong>author 表示名</strong>" in page
    assert "<strong>AUTHOR</strong>" not in page and "<strong>author</strong>" not in page


def test_the_reviewer_filter_lists_display_names(client, editor, author):
    section = make_section(make_report(), author=author)
    workflow.assign_reviewer(section, editor, by=editor)
    client.force_login(editor)

    response = client.get(reverse("admin:blog_section_changelist"))

    reviewer_filter = next(
        spec for spec in response.context["cl"].filter_specs if spec.field_path == "reviewer"
    )
    assert [label for _pk, label in reviewer_filter.lookup_choices] == ["editor 表示名"]


def test_the_reviewer_filter_names_the_unassigned_choice(client, editor, author):
    reviewed = make_section(make_report(), author=author)
    workflow.assign_reviewer(reviewed, editor, by=editor)
    make_section(reviewed.report, author=author)
    client.force_login(editor)

    response = client.get(reverse("admin:blog_section_changelist"))

    changelist = response.context["cl"]
    reviewer_filter = next(
        spec for spec in changelist.filter_specs if spec.field_path == "reviewer"
    )
    assert [choice["display"] for choice in reviewer_filter.choices(changelist)] == [
        "全て",
        "editor 表示名",
        "未割り当て",
    ]


# --- Errors at the top ----------------------------------------------------------------------------


def test_errors_are_listed_at_the_top_with_links_to_their_fields(client, author):
    from tests.forms import form_values

    section = make_section(make_report(), author=author, heading="見出し", body="本文")
    client.force_login(author)
    data = form_values(client.get(section_url(section)).content.decode(), "section_form")
    data |= {"heading": [""], "_continue": ["1"]}

    response = client.post(section_url(section), data)

    assert response.status_code == 200
    page = response.content.decode()
    summary = page[page.index('class="error-summary"') :][:2000]
    assert page.index('class="error-summary"') < page.index('name="heading"')
    assert '<a href="#id_heading">見出し</a>: ' in summary
    section.refresh_from_db()
    assert section.heading == "見出し"


def test_an_action_address_opened_on_its_own_does_nothing_and_says_why(client, author, editor):
    report = make_report(title="公開前のレポート")
    section = make_section(report, author=author, status=SectionStatus.IN_REVIEW)
    client.force_login(editor)
    came_from = "http://testserver" + reverse("admin:blog_section_change", args=[section.pk])

    responses = [
        client.get(address, HTTP_REFERER=came_from)
        for address in (
            reverse("admin:blog_report_publish", args=[report.pk]),
            reverse("admin:blog_section_transition", args=[section.pk, "approve"]),
            reverse("admin:blog_section_comment", args=[section.pk]),
        )
    ]

    for response in responses:
        page = response.content.decode()
        assert (response.status_code, response["Allow"]) == (405, "POST")
        assert 'id="site-name"' in page  # the admin's own page, not the browser's bare one
        assert "ボタンを押したときに操作を行うアドレス" in page
        assert f'<a class="button" href="{came_from}">前のページに戻る</a>' in page
    report.refresh_from_db()
    section.refresh_from_db()
    assert (report.is_published, section.status) == (False, SectionStatus.IN_REVIEW)
    assert section.comments.count() == 0


def test_a_photo_s_file_is_a_link_to_its_original_not_its_storage_path(client, author):
    report = make_report()
    section = make_section(report, author=author)
    photo = make_photo(report, section, alt_text="会場の入口")
    client.force_login(author)

    for url in (
        reverse("admin:blog_photo_change", args=[photo.pk]),
        reverse("admin:blog_section_change", args=[section.pk]),
    ):
        page = client.get(url).content.decode()

        assert f'<a href="{photo.image.url}" target="_blank" rel="noopener">' in page, url
        assert "アップロードした元の画像を開く" in page
        assert f">{photo.image.name}<" not in page


def test_a_read_only_section_shows_its_figures_and_no_empty_figure_group(client, author):
    without = make_section(make_report(), author=author, status="in_review")  # locked for them
    report = make_report()
    with_figure = make_section(report, author=author, status="in_review")
    make_photo(report, with_figure, alt_text="ステージの写真")
    draft = make_section(make_report(), author=author)
    client.force_login(author)

    def figure_groups(section) -> list[str]:
        page = client.get(f"/admin/blog/section/{section.pk}/change/")
        return [inline.formset.prefix for inline in page.context["inline_admin_formsets"]]

    assert figure_groups(without) == []
    assert len(figure_groups(with_figure)) == 1
    assert len(figure_groups(draft)) == 1  # where figures can be added


def test_a_writer_reads_the_report_page_with_names_and_links_they_can_follow(
    client, author, coauthor, editor
):
    report = make_report()
    report.editors.add(editor)
    mine = make_section(report, author=author, heading="私の節")
    theirs = make_section(report, author=coauthor, heading="同僚の節")
    client.force_login(author)

    page = client.get(report_url(report)).content.decode()

    assert f'href="/admin/blog/section/{mine.pk}/change/"' in page
    assert f'href="/admin/blog/section/{theirs.pk}/change/"' not in page  # refused to them
    assert f'href="/preview/reports/{report.pk}/#{theirs.anchor}"' in page
    assert "/admin/auth/user/" not in page
    for person in (author, coauthor, editor):
        assert display_name_of(person) in page
    assert f">{editor.username}<" not in page


def test_an_editor_still_chooses_writers_and_editors_on_the_report_page(client, author, editor):
    report = make_report()
    make_writer_of(report, author)
    client.force_login(editor)

    form = client.get(report_url(report)).context["adminform"].form

    assert "editors" in form.fields
    memberships = client.get(report_url(report)).context["inline_admin_formsets"][0]
    assert "user" in memberships.formset.forms[0].fields


def test_an_administrator_reads_the_roles_and_the_login_records_in_japanese(client, superuser):
    from django.contrib.auth.models import Group

    client.force_login(superuser)

    home = client.get(reverse("admin:index")).content.decode()
    user_page = client.get(reverse("admin:auth_user_change", args=[superuser.pk]))
    group_choices = {
        str(label) for _value, label in user_page.context["adminform"].form.fields["groups"].choices
    }

    assert "ログインの制限</a>" in home
    assert "Axes</a>" not in home
    for name in ("ログイン失敗の集計（ロック解除）", "ログイン失敗の記録"):
        assert name in home
    assert "Access attempts" not in home
    assert {
        "執筆者（参加するレポートの節を書く）",
        "編集者（レビュー・承認・公開をする）",
    } <= group_choices
    assert set(Group.objects.values_list("name", flat=True)) >= {"Writers", "Editors"}


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (
            "/admin/conference/session/add/",
            {"event": "abc", "title": "手で作った送信", "kind": "session"},
        ),
        (
            "/admin/blog/section/add/",
            {"session": "abc", "heading": "手で作った送信", "body": "本文"},
        ),
        (
            "/admin/blog/report/add/",
            {"title": "手で作った送信", "event": "1x", "tags": ["abc", "2"]},
        ),
    ],
    ids=["session-event", "section-session", "report-event-and-tags"],
)
def test_a_search_menu_sent_no_key_at_all_says_the_choice_is_not_valid(client, editor, url, data):
    """No browser sends these, but a hand-made request must not meet a server error."""
    from blog.models import Report, Section
    from sessions.models import Session

    client.force_login(editor)

    response = client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any("正しく選択してください" in " ".join(messages) for messages in errors.values())
    assert (Session.objects.count(), Section.objects.count(), Report.objects.count()) == (0, 0, 0)
