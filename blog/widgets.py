"""The admin's Markdown editor: django-markdownx's widget with our own script and styles.

markdownx gives the field, the textarea and the preview area. Its script is replaced
(static/blog/admin/markdown-editor.js) because it cannot do what our writers need:
it starts only on page load, so rows added with "Add another" get no preview (and
copy its "already started" mark from the hidden template row); it rewrites the
textarea on upload and on some keys, which breaks an input method's composition and
the undo history; it uploads without saying which section the photo is for; and on
an error it types "Invalid response" into the writer's text.
"""

from django.contrib.admin.widgets import AdminFileWidget
from django.urls import reverse
from django.utils.translation import gettext as _
from markdownx.widgets import AdminMarkdownxWidget

from blog.models.text import ADD_PHOTOS_BUTTON


class MarkdownEditorWidget(AdminMarkdownxWidget):
    template_name = "blog/widgets/markdown_editor.html"
    field_label = None  # the label of the field it edits, set by MarkdownTargetFormMixin

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "data-preview-url": reverse("markdownx_markdownify"),
                "data-upload-url": reverse("markdownx_upload"),
                "spellcheck": "false",
            }
        )
        # Named by the messages that refuse an image from elsewhere: one wording for both.
        context["add_photos_button"] = ADD_PHOTOS_BUTTON
        context["preview_name"] = (
            _("Preview of %(field)s: as readers will see it") % {"field": self.field_label}
            if self.field_label
            else _("Preview: as readers will see it")
        )
        return context

    class Media:
        extend = False  # not markdownx's script and styles
        css = {"all": ["css/reader.css", "css/pygments.css", "blog/admin/markdown-editor.css"]}
        js = ["blog/admin/markdown-editor.js"]


class PhotoFileInput(AdminFileWidget):
    """A photo's file: a link to the uploaded original, not its storage path (a generated
    name such as photos/originals/3f2a….jpg says nothing to a writer; the thumbnail beside
    it shows the photo)."""

    template_name = "blog/widgets/photo_file_input.html"
