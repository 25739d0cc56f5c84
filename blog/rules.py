"""Who may do what, on which object.

Every check in views, admin, services and templates asks
`user.has_perm("blog.<codename>", obj)`; nothing decides access elsewhere.
Called without an object (the admin asks that for menus and lists), a
permission answers for the role alone.

Three kinds of predicate combine here: the role (blog/roles.py), the person's tie
to the object (author, writer of the report), and, for writers' edits, the state.
The states a review move starts from are the workflow's business
(`blog.workflow.SECTION_ACTIONS`): the move permissions below say only who may.
"""

import rules

from blog.enums import EDITABLE_BY_AUTHOR
from blog.roles import is_editor, is_writer

is_staff_author = is_editor | is_writer


# --- The person and the object -----------------------------------------------------------------


@rules.predicate
def no_object(user, obj) -> bool:
    return obj is None


@rules.predicate
def is_report_writer(user, report) -> bool:
    """A writer of the report: an editor made them one (blog.models.ReportMember)."""
    if report is None or report.pk is None:
        return False
    # Asked for many rows a request: one query per user object (blog/membership.py forgets it).
    if "_blog_writing_reports" not in user.__dict__:
        memberships = user.report_memberships.values_list("report_id", flat=True)
        user.__dict__["_blog_writing_reports"] = set(memberships)
    return report.pk in user.__dict__["_blog_writing_reports"]


@rules.predicate
def is_section_author(user, section) -> bool:
    return section is not None and section.author_id == user.pk


@rules.predicate
def writes_in_section_report(user, section) -> bool:
    return section is not None and is_report_writer(user, section.report)


@rules.predicate
def owns_photo_section(user, photo) -> bool:
    return (
        photo is not None
        and photo.section is not None
        and is_section_author(user, photo.section)
        and writes_in_section_report(user, photo.section)
    )


# --- The state ---------------------------------------------------------------------------------


@rules.predicate
def report_open(user, report) -> bool:
    """Still being written: not published or scheduled."""
    return report is not None and not report.is_live


@rules.predicate
def in_open_report(user, obj) -> bool:
    """A report, section or photo of a report not published or scheduled: the one rule for
    what may go to the trash (or come back from it). A published report is unpublished
    first; its sections and photos stay with it."""
    if obj is None:
        return False
    report = getattr(obj, "report", obj)
    return not report.is_live


@rules.predicate
def section_open_for_author(user, section) -> bool:
    return (
        section is not None and section.status in EDITABLE_BY_AUTHOR and not section.report.is_live
    )


@rules.predicate
def photo_section_open_for_author(user, photo) -> bool:
    return (
        photo is not None
        and photo.section is not None
        and section_open_for_author(user, photo.section)
    )


# --- Permissions -------------------------------------------------------------------------------

own_section = is_section_author & writes_in_section_report

rules.add_perm("blog.view_section", is_editor | (is_writer & (no_object | own_section)))
# Editors may change any section: a change to approved content sends it back to review,
# or, on a published report, counts as a correction (blog.workflow.content_changed).
rules.add_perm(
    "blog.change_section",
    is_editor | (is_writer & (no_object | (own_section & section_open_for_author))),
)
# Without an object: may this person write sections at all. With a report: in this one.
rules.add_perm("blog.add_section", is_editor | (is_writer & (no_object | is_report_writer)))
rules.add_perm("blog.write_in_report", report_open & (is_editor | (is_writer & is_report_writer)))
# "Delete" moves to the trash (blog/trash.py); only admins empty it.
rules.add_perm(
    "blog.delete_section",
    (is_editor & (no_object | in_open_report))
    | (is_writer & (no_object | (own_section & section_open_for_author))),
)

# Review moves: who may. From which states is the workflow table's business.
rules.add_perm("blog.submit_section", is_editor | (is_writer & own_section))
rules.add_perm("blog.approve_section", is_editor)
rules.add_perm("blog.request_changes_section", is_editor)
rules.add_perm("blog.reopen_section", is_editor)
rules.add_perm("blog.comment_section", is_editor | (is_writer & own_section))
rules.add_perm("blog.assign_reviewer", is_editor)
# The role itself, for "is this person an editor?" questions without an object.
rules.add_perm("blog.review_sections", is_editor)

# A report's drafts (change page, preview, revisions, compare) are for its writers.
rules.add_perm("blog.view_report", is_editor | (is_writer & (no_object | is_report_writer)))
rules.add_perm("blog.preview_report", is_editor | (is_writer & (no_object | is_report_writer)))
# Asked with the report by the Markdown editor (lead and closing) and by restores.
rules.add_perm("blog.change_report", is_editor)
rules.add_perm("blog.add_report", is_editor)
rules.add_perm("blog.publish_report", is_editor)
rules.add_perm("blog.reorder_sections", is_editor)
rules.add_perm("blog.share_report", is_editor)
# Copies for the company blog, at any status: an unpublished report's copy is how an editor
# prepares the blog post before (or without) publishing here.
rules.add_perm("blog.export_report", is_editor)
rules.add_perm("blog.delete_report", is_editor & (no_object | in_open_report))

rules.add_perm("blog.view_photo", is_editor | (is_writer & (no_object | owns_photo_section)))
rules.add_perm("blog.add_photo", is_staff_author)
rules.add_perm(
    "blog.change_photo",
    is_editor | (is_writer & (no_object | (owns_photo_section & photo_section_open_for_author))),
)
rules.add_perm(
    "blog.delete_photo",
    (is_editor & (no_object | in_open_report))
    | (is_writer & (no_object | (owns_photo_section & photo_section_open_for_author))),
)

# The coverage board (blog/coverage.py): who may. Claims, assignments and unassignments
# happen only in reports still being written; blog.coverage checks that state itself, so
# that it holds for superusers too (Django grants them every permission unasked).
rules.add_perm("blog.view_coverage", is_staff_author)
rules.add_perm("blog.claim_session", is_staff_author)
rules.add_perm("blog.assign_session", is_editor)
rules.add_perm("blog.allow_another_writer", is_editor)
rules.add_perm("blog.unassign_session", is_editor)
# Due dates of reports and sections: writers see them, editors set them.
rules.add_perm("blog.set_due_date", is_editor)
# The trash (blog/trash.py): editors see it and restore from it; admins empty it. The
# audit trail (blog/audit.py) is for editors.
rules.add_perm("blog.view_trash", is_editor)
rules.add_perm("blog.restore_from_trash", is_editor)
rules.add_perm("blog.purge_trash", rules.is_active & rules.is_superuser)
rules.add_perm("blog.view_audit_trail", is_editor)
# The portable archive (blog/archive.py): every report's drafts and history, so editors only.
rules.add_perm("blog.download_archive", is_editor)
