"""Who may do what, on which object.

"The state allows it" and "this person may do it" are separate predicates,
combined per permission. Every check in views, admin and templates asks
`user.has_perm("blog.<codename>", obj)`; nothing decides access elsewhere.
Called without an object (the admin asks that for menus and lists), a
permission answers for the role alone.
"""

import rules

from blog.enums import EDITABLE_BY_AUTHOR, EDITORS, WRITERS, SectionStatus

# --- Roles -------------------------------------------------------------------------------------

is_editor = rules.is_superuser | (rules.is_staff & rules.is_group_member(EDITORS))
is_writer = rules.is_staff & rules.is_group_member(WRITERS)
is_staff_author = is_editor | is_writer


# --- The person and the object -----------------------------------------------------------------


@rules.predicate
def is_section_author(user, section) -> bool:
    return section is not None and section.author_id == user.pk


@rules.predicate
def writes_in_report(user, report) -> bool:
    return report is not None and report.sections.filter(author_id=user.pk).exists()


@rules.predicate
def owns_photo_section(user, photo) -> bool:
    return photo is not None and photo.section is not None and photo.section.author_id == user.pk


# --- The state ---------------------------------------------------------------------------------


@rules.predicate
def no_object(user, obj) -> bool:
    return obj is None


@rules.predicate
def section_open_for_author(user, section) -> bool:
    return (
        section is not None and section.status in EDITABLE_BY_AUTHOR and not section.report.is_live
    )


@rules.predicate
def section_in_review(user, section) -> bool:
    return section is not None and section.status == SectionStatus.IN_REVIEW


@rules.predicate
def section_reopenable(user, section) -> bool:
    return (
        section is not None
        and section.status == SectionStatus.APPROVED
        and not section.report.is_live
    )


@rules.predicate
def photo_section_open_for_author(user, photo) -> bool:
    return (
        photo is not None
        and photo.section is not None
        and section_open_for_author(user, photo.section)
    )


# --- Permissions -------------------------------------------------------------------------------

rules.add_perm("blog.view_section", is_editor | (is_writer & (no_object | is_section_author)))
# Editors may change any section: an edit to an approved one sends it back to review,
# or, on a published report, counts as a correction (blog.workflow.record_edit).
rules.add_perm(
    "blog.change_section",
    is_editor | (is_writer & (no_object | (is_section_author & section_open_for_author))),
)
rules.add_perm("blog.add_section", is_staff_author)
rules.add_perm(
    "blog.delete_section",
    (is_editor & (no_object | ~section_reopenable))
    | (is_writer & (no_object | (is_section_author & section_open_for_author))),
)
rules.add_perm("blog.submit_section", (is_editor | is_section_author) & section_open_for_author)
rules.add_perm("blog.approve_section", is_editor & section_in_review)
rules.add_perm("blog.request_changes_section", is_editor & section_in_review)
rules.add_perm("blog.reopen_section", is_editor & section_reopenable)
rules.add_perm("blog.comment_section", is_editor | (is_writer & is_section_author))
rules.add_perm("blog.assign_reviewer", is_editor)
# The role itself, for "is this person an editor?" questions without an object.
rules.add_perm("blog.review_sections", is_editor)

rules.add_perm("blog.view_report", is_editor | (is_writer & (no_object | writes_in_report)))
# Asked with the report by the Markdown editor (lead and closing) and by restores.
rules.add_perm("blog.change_report", is_editor)
rules.add_perm("blog.preview_report", is_editor | (is_writer & (no_object | writes_in_report)))
rules.add_perm("blog.publish_report", is_editor)
rules.add_perm("blog.share_report", is_editor)

rules.add_perm("blog.view_photo", is_editor | (is_writer & (no_object | owns_photo_section)))
rules.add_perm("blog.add_photo", is_staff_author)
rules.add_perm(
    "blog.change_photo",
    is_editor | (is_writer & (no_object | (owns_photo_section & photo_section_open_for_author))),
)
rules.add_perm(
    "blog.delete_photo",
    is_editor | (is_writer & (no_object | (owns_photo_section & photo_section_open_for_author))),
)
