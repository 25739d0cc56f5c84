"""The Markdown editor's endpoints: live preview and photo upload, for the admin's editor.

They keep the URL names of django-markdownx's views, which they replace: those accept
anyone and store any file that claims to be an image, SVG included.
"""

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View

from blog.authoring import can_upload_to
from blog.forms import EditorTargetForm, PhotoUploadForm, PreviewForm
from blog.markdown import MarkdownRefused, render
from blog.models import PHOTO_ALT_PLACEHOLDER, Photo


def refusal(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": str(message)}, status=status)


def first_error(form) -> str:
    return next(iter(form.errors.values()))[0]


def not_allowed() -> JsonResponse:
    return refusal(_("You may not edit this text."), status=403)


@method_decorator(staff_member_required, name="dispatch")
class MarkdownPreviewView(View):
    """POST content (and the section or report it belongs to): the HTML readers would get."""

    http_method_names = ["post"]

    def post(self, request):
        form = PreviewForm(request.POST)
        if not form.is_valid():
            return refusal(first_error(form))
        target, content = form.cleaned_data["target"], form.cleaned_data["content"]
        if target is not None and not can_upload_to(request.user, target):
            return not_allowed()
        try:
            if target is None:
                rendered = render(content)  # an add page: nothing saved to take photos from
            else:
                rendered = target.render_as(form.cleaned_data["field"], content)
        except MarkdownRefused as error:
            return refusal(error.messages[0])
        return HttpResponse(rendered.html)


@method_decorator(staff_member_required, name="dispatch")
class PhotoUploadView(View):
    """POST an image for a section (or a report): a new photo and the reference to insert."""

    http_method_names = ["post"]

    def post(self, request):
        target_form = EditorTargetForm(request.POST)
        if not target_form.is_valid():
            return refusal(first_error(target_form))
        target = target_form.cleaned_data["target"]
        if target is None:
            return refusal(
                _("Save the draft once before adding photos: a photo belongs to a saved text.")
            )
        if not can_upload_to(request.user, target):
            return not_allowed()
        upload_form = PhotoUploadForm(request.POST, request.FILES)
        if not upload_form.is_valid():
            return refusal(first_error(upload_form))
        try:
            with transaction.atomic():
                photo = Photo.drop_into(target, upload_form.cleaned_data["image"])
        except ValidationError as error:
            return refusal(error.messages[0])
        return JsonResponse(
            {
                "image_code": photo.markdown_reference(),
                "photo": photo.pk,
                "alt_placeholder": str(PHOTO_ALT_PLACEHOLDER),
            }
        )
