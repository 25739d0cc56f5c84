"""Who may do what to the conference data, beyond the plain model permissions.

Asked as `user.has_perm("conference.…")`, like the blog's rules in blog/rules.py.
"""

import rules

# An import creates, changes and deletes sessions and creates and changes speakers: only
# someone allowed all of that by hand (the Editors group, superusers) may import.
SCHEDULE_IMPORT_PERMISSIONS = (
    "conference.change_event",
    "conference.add_session",
    "conference.change_session",
    "conference.delete_session",
    "conference.add_speaker",
    "conference.change_speaker",
)


@rules.predicate
def may_edit_schedule(user) -> bool:
    return user.is_active and user.is_staff and user.has_perms(SCHEDULE_IMPORT_PERMISSIONS)


rules.add_perm("conference.import_schedule", may_edit_schedule)
