"""Photo intake: decode to validate, orient, strip metadata, re-encode, make renditions.

Nothing about an upload is trusted: not its name, not its declared type. The
file is decoded completely by Pillow; what we store is a fresh encoding of the
decoded pixels, which carries no EXIF, GPS, comments or embedded payloads.
"""

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
# 40 megapixels covers any camera a team takes to a conference; more is a bomb.
MAX_PIXELS = 40_000_000
RENDITION_WIDTHS = (480, 960, 1600)
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    format: str  # "webp", "jpeg" or "png"
    name: str  # storage name

    def as_dict(self) -> dict:
        return {
            "width": self.width,
            "height": self.height,
            "format": self.format,
            "name": self.name,
        }


@dataclass(frozen=True)
class NormalisedImage:
    content: ContentFile
    extension: str
    width: int
    height: int


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA"} or (image.mode == "P" and "transparency" in image.info)


def decode(upload) -> Image.Image:
    """Decode `upload` completely and apply its EXIF orientation.

    Raises ValidationError, with a message for the writer, for anything else.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The image is larger than %(limit)d MB."),
            code="too_large",
            params={"limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise ValidationError(
                    _("Only JPEG, PNG, WebP and GIF photos are accepted."), code="format"
                )
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(
                    _("The image has too many pixels (at most %(limit)d million)."),
                    code="too_many_pixels",
                    params={"limit": MAX_PIXELS // 1_000_000},
                )
            probe.load()
            # Orientation is applied while the EXIF block is still at hand; the
            # re-encode later drops all metadata.
            image = ImageOps.exif_transpose(probe)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("This file is not a readable image. Upload a JPEG, PNG, WebP or GIF photo."),
            code="invalid",
        ) from None
    finally:
        upload.seek(0)
    return image


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "jpeg":
        image.convert("RGB").save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    elif fmt == "png":
        image.save(buffer, "PNG", optimize=True)
    else:
        image.save(buffer, "WEBP", quality=80, method=4)
    return buffer.getvalue()


def _for_output(image: Image.Image) -> Image.Image:
    """Bring any decoded mode (CMYK, 16-bit, palette, ...) to RGB or RGBA."""
    if _has_alpha(image):
        return image.convert("RGBA")
    if image.mode == "I;16" or image.mode == "I":
        return image.point(lambda value: value / 256).convert("RGB")
    return image.convert("RGB")


def normalise(upload) -> NormalisedImage:
    """Validate and re-encode an upload: oriented, metadata-free, first frame only."""
    image = _for_output(decode(upload))
    extension = "png" if image.mode == "RGBA" else "jpeg"
    return NormalisedImage(
        content=ContentFile(_encode(image, extension)),
        extension="png" if extension == "png" else "jpg",
        width=image.width,
        height=image.height,
    )


def new_name(directory: str, extension: str) -> str:
    """A generated storage name; upload names are never used."""
    return f"{directory}/{uuid.uuid4().hex}.{extension}"


def make_renditions(storage: Storage, source_name: str) -> list[Rendition]:
    """Resize the stored original once into every width, as WebP plus a JPEG/PNG fallback."""
    with storage.open(source_name) as handle, Image.open(handle) as opened:
        opened.load()
        source = _for_output(opened)
    fallback = "png" if source.mode == "RGBA" else "jpeg"
    stem = source_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    widths = sorted(
        {width for width in RENDITION_WIDTHS if width < source.width}
        | {min(source.width, RENDITION_WIDTHS[-1])}
    )
    renditions = []
    for width in widths:
        height = max(1, round(source.height * width / source.width))
        resized = source if width == source.width else source.resize((width, height), Image.LANCZOS)
        for fmt in ("webp", fallback):
            name = storage.save(
                f"photos/renditions/{stem}-{width}.{fmt}", ContentFile(_encode(resized, fmt))
            )
            renditions.append(Rendition(width, height, fmt, name))
    return renditions
