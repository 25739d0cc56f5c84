"""Who may write into a section or a report from the Markdown editor.

One place for the question, asked the way the rest of the project asks it:
`user.has_perm("blog.change_section", section)`. Object permissions come from the
`rules` package (added with the editorial workflow); until its backend is installed,
Django's ModelBackend grants no permission on an object, so only superusers pass.
"""

from blog.models import Report, Section


def can_upload_to(user, target: Section | Report) -> bool:
    """May `user` preview text for `target` and add photos to it?"""
    if isinstance(target, Section):
        return user.has_perm("blog.change_section", target)
    return user.has_perm("blog.change_report", target)
