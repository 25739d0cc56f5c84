"""The staff side: writers draft their sections, editors review and publish.

Access is decided by the rules in blog/rules.py, asked through
`user.has_perm(...)`; status changes go through blog/workflow.py; content
changes through blog/editing.py. One module per aggregate.
"""

from blog.admin import conference, people, photos, reports, sections  # noqa: F401 - registers the admins
