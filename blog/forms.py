"""Forms for the Markdown editor: what its requests carry, and the admin forms that set it up."""

from django import forms
from django.utils.translation import gettext_lazy as _

from blog.models import Report, Section
from blog.widgets import MarkdownEditorWidget


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
                if self.instance.pk:
                    target = self.instance._meta.model_name  # "section" or "report"
                    field.widget.attrs[f"data-{target}"] = str(self.instance.pk)


# The admin passes its own field list (from its fieldsets); these are the defaults.


class SectionAdminForm(MarkdownTargetFormMixin, forms.ModelForm):
    class Meta:
        model = Section
        fields = ["report", "position", "session", "heading", "author", "author_team", "body"]


class ReportAdminForm(MarkdownTargetFormMixin, forms.ModelForm):
    class Meta:
        model = Report
        fields = ["title", "slug", "event", "tags", "lead", "closing", "status", "published_at"]
