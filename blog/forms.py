"""Forms: the Markdown editor's requests, the section editor, and the review actions."""

import datetime

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from markdownx.fields import MarkdownxFormField

from blog import coverage, roles
from blog.enums import SectionStatus
from blog.markdown import MAX_CHARACTERS as MAX_BODY_CHARACTERS
from blog.models import Report, Section, display_name_of, normalized_text
from blog.models.sections import COMMENT_MAX_LENGTH
from blog.widgets import MarkdownEditorWidget
from sessions.dates import site_time_zone
from sessions.forms import SessionChoiceField

HEADING_TOO_LONG = _(
    "The heading is %(show_value)d characters long. Shorten it to %(limit_value)d characters "
    "or fewer."
)


class MarkdownTextField(MarkdownxFormField):
    """Markdown as the writer typed it, compared as it is stored.

    Leading spaces stay (they start a code block); line ends and trailing whitespace are
    normalised as the models store them, so a text sent back unchanged (browsers send
    CRLF, and a form drops a final newline) is no change.
    """

    def __init__(self, *args, **kwargs):
        kwargs["strip"] = False
        super().__init__(*args, **kwargs)

    def to_python(self, value) -> str:
        return normalized_text(super().to_python(value))

    def has_changed(self, initial, data) -> bool:
        return super().has_changed(normalized_text(initial or ""), data)


class EditorTargetForm(forms.Form):
    """Which text a preview or an upload is for: a section's body, or a report's lead or closing.

    Neither is given on an add page, where the section or report has no number yet.
    """

    section = forms.ModelChoiceField(Section.objects.select_related("report"), required=False)
    report = forms.ModelChoiceField(Report.objects.all(), required=False)
    field = forms.CharField(required=False)

    def clean(self):
        data = super().clean()
        section, report = data.get("section"), data.get("report")
        if section and report:
            raise forms.ValidationError(_("Choose a section or a report, not both."))
        target = section or report
        field = data.get("field") or (next(iter(target.markdown_fields)) if target else "")
        if target and field not in target.markdown_fields:
            raise forms.ValidationError(_("This text cannot be edited here."))
        data["target"], data["field"] = target, field
        return data


class PreviewForm(EditorTargetForm):
    # Not stripped: leading spaces start code blocks in Markdown.
    content = forms.CharField(required=False, strip=False)


class PhotoUploadForm(forms.Form):
    # A plain file field: whether it is an image is decided by decoding it (blog.images),
    # not by its name or declared type.
    image = forms.FileField(
        error_messages={"required": _("Choose a photo to upload.")},
    )


class MarkdownTargetFormMixin:
    """Tells each Markdown editor on a model form which object and field it edits."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field.widget, MarkdownEditorWidget):
                field.widget.attrs["data-field"] = name
                # A page with several texts (a report's lead and closing) has a preview
                # of each: screen readers tell them apart by this name.
                field.widget.field_label = field.label
                if self.instance.pk:
                    target = self.instance._meta.model_name  # "section" or "report"
                    field.widget.attrs[f"data-{target}"] = str(self.instance.pk)


class SectionAdminForm(MarkdownTargetFormMixin, forms.ModelForm):
    """The section editor, with lost-update protection.

    `base_version` carries the version the person started from. If someone
    else saved in between, the save is refused, the other person's text is
    shown beside theirs, and their own text stays in the form; saving again
    after that is a deliberate choice and goes through.
    """

    base_version = forms.IntegerField(
        label=_("version you started from"), widget=forms.HiddenInput, required=False
    )
    # Who is editing, set by the admin on the form class it makes for each request: a save
    # that came first from their own other tab is told as theirs.
    editing_user = None

    class Meta:
        model = Section
        fields = [
            "report",
            "session",
            "heading",
            "author",
            "author_team",
            "body",
            "reviewer",
            "due_on",
        ]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        field_classes = {"session": SessionChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version
        if self.is_bound:
            self.data = self.data.copy()  # so a conflict can move the base forward
        self.conflict_with: Section | None = None
        if "body" in self.fields:
            self.fields["body"].validators.append(MaxLengthValidator(MAX_BODY_CHARACTERS))
        if self.instance.pk is None:
            # Not the model's default of 0, among the first: blog/editing.py places a new
            # section after the report's last one. Editors move it with the report's arrows.
            self.instance.position = None
        if "heading" in self.fields:
            # The browser would cut a pasted heading at the limit without a word; the save
            # says how long it is instead, and keeps all of it in the field.
            heading = self.fields["heading"]
            heading.widget.attrs.pop("maxlength", None)
            # Django's own message says "this value", and its Japanese has a stray space.
            heading.validators = [
                *(v for v in heading.validators if not isinstance(v, MaxLengthValidator)),
                MaxLengthValidator(heading.max_length, message=HEADING_TOO_LONG),
            ]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        base = cleaned.get("base_version")
        # Locked until the admin's transaction commits, so nobody saves between
        # this check and our save.
        current = (
            Section.objects.select_for_update(of=("self",))
            .select_related("author__author_profile")
            .get(pk=self.instance.pk)
        )
        if base is not None and base != current.version:
            self.conflict_with = current
            self.data[self.add_prefix("base_version")] = current.version
            raise forms.ValidationError(
                self._conflict_message(current.last_editor),
                code="conflict",
                params={
                    "name": display_name_of(current.last_editor) if current.last_editor else "",
                    "time": timezone.localtime(current.updated_at).strftime("%H:%M:%S"),
                },
            )
        if (report := cleaned.get("report")) and (refusal := current.move_refusal(report)):
            self.add_error("report", forms.ValidationError(refusal, code="move"))
        return cleaned

    def _conflict_message(self, editor) -> str:
        if editor is not None and editor == self.editing_user:
            return _(
                "You saved this section at %(time)s in another tab or window, after this page "
                "was opened. The text below is this page's and nothing was overwritten. "
                "Compare it with the saved text shown here, merge what you need, then save "
                "again."
            )
        if editor is None:
            return _(
                "Someone saved this section at %(time)s, after you started editing. Your text "
                "is still below and nothing was overwritten. Compare it with the saved text "
                "shown here, merge what you need, then save again."
            )
        return _(
            "%(name)s saved this section at %(time)s, after you started editing. "
            "Your text is still below and nothing was overwritten. Compare it with the "
            "saved text shown here, merge what you need, then save again."
        )


class RequestChangesForm(forms.Form):
    comment = forms.CharField(
        label=_("What should change?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=COMMENT_MAX_LENGTH,
        error_messages={"required": _("Say what should change: a comment is required.")},
    )


class CommentForm(forms.Form):
    message = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=COMMENT_MAX_LENGTH,
        error_messages={"required": _("Write a comment first.")},
    )


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The browser shows no zone; the time typed is read on the site's clock.
        self.fields["publish_at"].help_text = _("Time in %(zone)s, the site's time zone.") % {
            "zone": site_time_zone()
        }

    def clean_publish_at(self) -> datetime.datetime:
        value = self.cleaned_data["publish_at"]
        if value <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future to schedule."))
        return value


class ShareLinkForm(forms.Form):
    valid_for = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        choices=[(1, _("1 day")), (3, _("3 days")), (7, _("7 days")), (14, _("14 days"))],
        initial=3,
    )


class ReportAdminForm(MarkdownTargetFormMixin, forms.ModelForm):
    # The admin passes its own field list (from its fieldsets); these are the defaults.
    class Meta:
        model = Report
        fields = ["title", "slug", "event", "tags", "lead", "closing", "due_on"]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class CoverageFilterForm(forms.Form):
    """The coverage board's filters (GET): each narrows the sessions shown."""

    day = forms.ChoiceField(label=_("Day"), required=False)
    # A session's room, else its track (coverage.place_of): the board groups by it.
    place = forms.ChoiceField(label=_("Room or track"), required=False)
    coverage = forms.ChoiceField(
        label=_("Coverage"),
        required=False,
        choices=[
            ("", _("All sessions")),
            (coverage.CLAIMED, _("Claimed")),
            (coverage.UNCLAIMED, _("Not claimed yet")),
        ],
    )
    status = forms.ChoiceField(
        label=_("Section state"),
        required=False,
        choices=[("", _("Any state")), *SectionStatus.choices],
    )

    def __init__(self, *args, board: "coverage.Board", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [("", _("Every day")), *coverage.day_choices(board.days)]
        self.fields["place"].choices = [
            ("", _("Every room or track")),
            *((place, place or _("No room or track")) for place in board.places),
        ]


class WriterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return display_name_of(user)


class AssignWriterForm(forms.Form):
    """An editor gives a session to a writer on the coverage board."""

    writer = WriterChoiceField(
        label=_("Writer"),
        queryset=None,
        error_messages={"required": _("Choose the writer first.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["writer"].queryset = roles.writers()
