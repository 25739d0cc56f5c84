"""Revision history for sections and reports, built on django-reversion.

Every admin save is recorded by django-reversion (who, when, every field).
Restoring copies the *content* fields of an old version onto the current row
and saves it as a new revision, so history only ever grows and the review
status, which belongs to the workflow, is never rewound by a restore.
"""

import difflib
from dataclasses import dataclass

import reversion
from django.db import transaction
from reversion.models import Version

from blog import editing
from blog.models import Report, Section, SectionTransition

# What a restore brings back: the writing, not the workflow state, nor the section's place
# in its report, which the editors' arrows set (restoring a text does not move it).
CONTENT_FIELDS: dict[type, tuple[str, ...]] = {
    Section: ("heading", "session", "body", "author_team"),
    Report: ("title", "lead", "closing", "event"),
}

reversion.register(
    Section, fields=[*CONTENT_FIELDS[Section], "position", "status", "version", "author"]
)
reversion.register(Report, fields=[*CONTENT_FIELDS[Report], "status", "published_at"])


# Unchanged lines kept around each change; longer unchanged stretches are folded.
CONTEXT_LINES = 2


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    # (kind, text): kind is "same", "added" or "removed", or "skipped" with the number
    # of unchanged lines folded away as its text.
    lines: list[tuple[str, str]]


def versions_of(obj) -> list[Version]:
    return list(
        Version.objects.get_for_object(obj)
        .select_related("revision__user__author_profile")
        .order_by("-revision__date_created", "-pk")
    )


def changed_fields(model: type, older: Version, newer: Version) -> list:
    """The content fields whose stored values differ between two versions (no query)."""
    fields = [model._meta.get_field(name) for name in CONTENT_FIELDS[model]]
    return [
        field
        for field in fields
        if older.field_dict.get(field.attname) != newer.field_dict.get(field.attname)
    ]


def compare(model: type, older: Version, newer: Version) -> list[FieldDiff]:
    """The changed lines of each content field between two versions, with a little context."""
    diffs = []
    for field in changed_fields(model, older, newer):
        name = field.name
        before = _text(field, older.field_dict.get(field.attname))
        after = _text(field, newer.field_dict.get(field.attname))
        if before != after:
            lines = changed_lines(before.splitlines(), after.splitlines())
            diffs.append(FieldDiff(name, str(field.verbose_name), lines))
    return diffs


@dataclass(frozen=True)
class SinceRequest:
    """A section's history since an editor last asked for changes, for the reviewer who
    gets it back: what they asked, and whether (and between which versions) it changed."""

    request: SectionTransition
    at_request: Version | None  # the version current when the changes were requested
    latest: Version | None  # the current version
    # The content differs from what it was at the request. A section with no version from
    # before the request (made outside the admin) changed if it has been saved since.
    changed: bool


def since_requests(requests: dict[int, SectionTransition]) -> dict[int, SinceRequest]:
    """For each section's latest request for changes (`SectionTransition.objects.
    latest_change_requests()`), the versions to compare: two queries however many sections.

    The version at the request is the last one saved no later than the request (saves in
    the same instant are told apart by their order, as the history lists them); none when
    the section was never saved in the admin before it. Only the two versions compared are
    read whole: a long history costs only its dates.
    """
    if not requests:
        return {}
    saves = (
        Version.objects.get_for_model(Section)
        .filter(object_id__in=[str(section_id) for section_id in requests])
        .order_by("revision__date_created", "pk")
        .values_list("pk", "object_id", "revision__date_created")
    )
    at_request: dict[int, int] = {}
    latest: dict[int, int] = {}
    for version_id, object_id, saved_at in saves:
        section_id = int(object_id)
        latest[section_id] = version_id
        if saved_at <= requests[section_id].created_at:
            at_request[section_id] = version_id
    read = Version.objects.in_bulk([*at_request.values(), *latest.values()])
    found = {}
    for section_id, request in requests.items():
        before, after = read.get(at_request.get(section_id)), read.get(latest.get(section_id))
        if after is None or before == after:
            changed = False  # every save leaves a version: none since the request
        else:
            changed = before is None or bool(changed_fields(Section, before, after))
        found[section_id] = SinceRequest(request, before, after, changed)
    return found


def changed_lines(before: list[str], after: list[str]) -> list[tuple[str, str]]:
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    lines: list[tuple[str, str]] = []

    def unchanged(start: int, end: int) -> None:
        # Folding a single line would take as much room as showing it.
        if end - start > 1:
            lines.append(("skipped", str(end - start)))
        else:
            lines.extend(("same", text) for text in before[start:end])

    shown_up_to = 0  # in `before`
    for group in matcher.get_grouped_opcodes(CONTEXT_LINES):
        unchanged(shown_up_to, group[0][1])
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [("same", text) for text in before[i1:i2]]
            else:
                lines += [("removed", text) for text in before[i1:i2]]
                lines += [("added", text) for text in after[j1:j2]]
        shown_up_to = group[-1][2]
    unchanged(shown_up_to, len(before))
    return lines


def _text(field, value) -> str:
    if value is None:
        return ""
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related else f"#{value}"
    return str(value)


def restore(obj, version: Version, *, by):
    """Bring back the content of `version` as a new revision of `obj`.

    Saved through blog/editing.py like any other change: restoring approved content
    keeps the approval, restoring anything else sends the section back to review.
    """
    model = type(obj)
    stored = version.field_dict
    for name in CONTENT_FIELDS[model]:
        field = model._meta.get_field(name)
        setattr(obj, field.attname, stored.get(field.attname))
    with transaction.atomic(), reversion.create_revision():
        reversion.set_comment(
            f"Restored the version of {version.revision.date_created:%Y-%m-%d %H:%M:%S}"
        )
        if isinstance(obj, Section):
            return editing.save_section(obj, by=by)
        return editing.save_report(obj, by=by)
