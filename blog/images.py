"""Photo intake: decode to validate, orient, strip metadata, re-encode, make renditions.

Nothing about an upload is trusted: not its name, not its declared type. The
file is decoded completely by Pillow; what we store is a fresh encoding of the
decoded pixels, which carries no EXIF, GPS, comments or embedded payloads.

What "sensibly" means for the less common kinds of image:

- EXIF orientation is applied to the pixels, then every piece of metadata is dropped
  (EXIF with GPS, XMP, JPEG and GIF comments, PNG text chunks).
- A colour profile (ICC) other than sRGB is converted to sRGB, then dropped: browsers
  assume sRGB for untagged images, so colours stay as the camera meant them.
- CMYK becomes RGB (through its profile when it has one); 16-bit images are scaled to
  8 bits; palette and grey images become RGB, or RGBA when they have transparency.
- Alpha is kept (PNG fallback) unless every pixel is opaque (then JPEG).
- Animated GIF, WebP and PNG keep their first frame: a report shows still figures,
  and decoding every frame would let a small file cost unbounded work.

Work is done once at upload: `prepare()` validates and encodes everything in memory,
then `store_renditions()` writes it, leaving no file behind if anything fails.
"""

import io
import logging
import uuid
import warnings
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
# 40 megapixels covers any camera a team takes to a conference; more is a bomb.
MAX_PIXELS = 40_000_000
RENDITION_WIDTHS = (480, 960, 1600)
# Pillow calls JPEGs with a multi-picture index (many phones write one) "MPO".
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF"}

# Markers of web content. A photo never carries them; a file that is both a valid
# image and a page or script (a polyglot) does, to be run if it is ever served raw.
# Plain substrings of the lower-cased bytes: a regular expression over megabytes of
# compressed data was the slowest step of an upload.
_ACTIVE_CONTENT_MARKERS = (
    b"<script",
    b"<html",
    b"<body",
    b"<svg",
    b"<iframe",
    b"<object",
    b"<embed",
    b"<meta",
    b"<?php",
    b"javascript:",
)

_JPEG_QUALITY = 82
_WEBP_QUALITY = 80
# libwebp's effort (0-6). Measured on the benchmark photo (bench/photo_pipeline.py),
# method 2 encodes about twice as fast as the default 4 for 3% more bytes, which keeps
# an upload well under a second on two busy cores.
_WEBP_METHOD = 2
_ORIGINAL_JPEG_QUALITY = 90

_SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


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
class EncodedRendition:
    width: int
    height: int
    format: str
    data: bytes


@dataclass(frozen=True)
class PreparedPhoto:
    """A validated upload, re-encoded in memory: nothing is written yet."""

    original: bytes
    extension: str  # "jpg" or "png"
    width: int
    height: int
    renditions: tuple[EncodedRendition, ...]


def _not_readable() -> ValidationError:
    return ValidationError(
        _("This file is not a readable image. Upload a JPEG, PNG, WebP or GIF photo."),
        code="invalid",
    )


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("The image has too many pixels (at most %(limit)d million)."),
        code="too_many_pixels",
        params={"limit": MAX_PIXELS // 1_000_000},
    )


def _read_checked(upload) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The image is larger than %(limit)d MB."),
            code="too_large",
            params={"limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
        )
    upload.seek(0)
    # One byte over the limit is enough to know; a stream without a size cannot fool us.
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    upload.seek(0)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The image is larger than %(limit)d MB."),
            code="too_large",
            params={"limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
        )
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    return data


def decode(upload) -> Image.Image:
    """Decode `upload` completely, apply its EXIF orientation, and return clean pixels.

    The result is RGB or RGBA, in sRGB, with no metadata at all. Raises
    ValidationError, with a message for the writer, for anything else.
    """
    data = _read_checked(upload)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice that; make it a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise ValidationError(
                        _("Only JPEG, PNG, WebP and GIF photos are accepted."), code="format"
                    )
                if probe.width * probe.height > MAX_PIXELS:
                    raise _too_many_pixels()
                if _has_active_content(data):
                    raise ValidationError(
                        _(
                            "This file contains web page or script code besides a picture, "
                            "so it is not accepted. Export the photo again from your camera "
                            "or photo app."
                        ),
                        code="active_content",
                    )
                probe.load()  # the first frame, completely: truncation shows up here
                profile = probe.info.get("icc_profile")
                # Orientation is applied while the EXIF block is still at hand.
                image = ImageOps.exif_transpose(probe)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _not_readable() from None
    image = _flatten(_to_srgb(image, profile))
    # Encoders copy some of this back into files (JPEG and GIF comments, PNG ICC).
    image.info = {}
    return image


def _has_active_content(data: bytes) -> bool:
    lowered = data.lower()
    return any(marker in lowered for marker in _ACTIVE_CONTENT_MARKERS)


def _to_srgb(image: Image.Image, profile: bytes | None) -> Image.Image:
    if not profile:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        space = source.profile.xcolor_space.strip()
        description = (source.profile.profile_description or "").lower()
        if space == "CMYK" and image.mode == "CMYK":
            return ImageCms.profileToProfile(image, source, _SRGB_PROFILE, outputMode="RGB")
        if space == "RGB" and image.mode in {"RGB", "RGBA"} and "srgb" not in description:
            return ImageCms.profileToProfile(image, source, _SRGB_PROFILE, outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        pass  # a broken profile: keep the pixels as they are, which is what browsers do
    return image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA", "PA", "RGBa", "La"} or (
        image.mode == "P" and "transparency" in image.info
    )


def _flatten(image: Image.Image) -> Image.Image:
    """Bring any decoded mode (CMYK, 16-bit, palette, grey, ...) to RGB or RGBA."""
    if _has_alpha(image):
        image = image.convert("RGBA")
        if image.getchannel("A").getextrema() == (255, 255):
            return image.convert("RGB")  # fully opaque: alpha would only cost bytes
        return image
    if image.mode.startswith("I"):
        # 16-bit grey: scale to 8 bits (a plain conversion clips everything to white).
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    return image if image.mode == "RGB" else image.convert("RGB")


def _encode(image: Image.Image, fmt: str, *, original: bool = False) -> bytes:
    buffer = io.BytesIO()
    if fmt == "jpeg":
        if original:
            # Kept for later renditions, never sent to readers: quality over size,
            # and no optimise pass (it triples the time on a 12-megapixel photo).
            image.save(buffer, "JPEG", quality=_ORIGINAL_JPEG_QUALITY)
        else:
            image.save(buffer, "JPEG", quality=_JPEG_QUALITY, optimize=True, progressive=True)
    elif fmt == "png":
        image.save(buffer, "PNG", compress_level=3 if original else 6)
    else:
        image.save(buffer, "WEBP", quality=_WEBP_QUALITY, method=_WEBP_METHOD)
    return buffer.getvalue()


def _encode_each(image: Image.Image, formats: tuple[str, ...]) -> list[tuple[str, bytes]]:
    return [(fmt, _encode(image, fmt)) for fmt in formats]


def rendition_widths(width: int) -> list[int]:
    """The widths to make for an image `width` pixels wide: never enlarged."""
    return sorted({w for w in RENDITION_WIDTHS if w < width} | {min(width, RENDITION_WIDTHS[-1])})


def _resized(image: Image.Image, width: int) -> Image.Image:
    if width == image.width:
        return image
    height = max(1, round(image.height * width / image.width))
    # From twice the target width or more, shrink by an integer factor with a cheap box
    # filter first and finish with Lanczos: Pillow's documented quality/speed balance.
    return image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=2.0)


def prepare(upload) -> PreparedPhoto:
    """Validate and encode an upload once: the original and every rendition, in memory.

    The result is remembered on `upload`, so validating a form field and saving the
    model do the work once.
    """
    cached = getattr(upload, "_prepared_photo", None)
    if cached is not None:
        return cached
    image = decode(upload)
    fallback = "png" if image.mode == "RGBA" else "jpeg"
    # Pillow releases the GIL while encoding, so encodes run on a second core while
    # this thread makes the next, smaller rendition from the previous one. Each image is
    # encoded by one task only: Pillow keeps a save's options on the image object, so two
    # saves of one image at once could mix their settings.
    with ThreadPoolExecutor(max_workers=2) as pool:
        original = pool.submit(_encode, image, fallback, original=True)
        pending = []
        source = image
        for width in sorted(rendition_widths(image.width), reverse=True):
            source = _resized(source, width)
            pending.append((source, pool.submit(_encode_each, source, ("webp", fallback))))
        renditions = tuple(
            EncodedRendition(resized.width, resized.height, fmt, data)
            for resized, encodes in pending
            for fmt, data in encodes.result()
        )
        prepared = PreparedPhoto(
            original=original.result(),
            extension="png" if fallback == "png" else "jpg",
            width=image.width,
            height=image.height,
            renditions=tuple(sorted(renditions, key=lambda r: (r.width, r.format))),
        )
    upload._prepared_photo = prepared
    return prepared


def new_name(directory: str, extension: str) -> str:
    """A generated storage name; upload names are never used."""
    return f"{directory}/{uuid.uuid4().hex}.{extension}"


def store_renditions(
    storage: Storage, source_name: str, prepared: PreparedPhoto
) -> list[Rendition]:
    """Write the prepared renditions beside `source_name`; on failure, remove what was written."""
    stem = source_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    written: list[Rendition] = []
    try:
        for encoded in prepared.renditions:
            name = storage.save(
                f"photos/renditions/{stem}-{encoded.width}.{encoded.format}",
                ContentFile(encoded.data),
            )
            written.append(Rendition(encoded.width, encoded.height, encoded.format, name))
    except BaseException:
        delete_quietly(storage, [rendition.name for rendition in written])
        raise
    return written


def delete_quietly(storage: Storage, names: list[str]) -> None:
    """Remove files, ignoring ones already gone: clean-up must never mask another error
    nor fail a request after its transaction has committed.

    A bucket that cannot be reached raises the S3 client's own errors, not OSError, so
    every failure is caught; the names are logged so that leftovers can be found.
    """
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.warning("Could not delete %r from the media storage", name, exc_info=True)


class _KeptOnCommit:
    """A commit hook that owns the clean-up of files written inside a transaction.

    Django keeps commit hooks in a list on the connection and throws the list (or, for a
    savepoint, the hooks registered inside it) away when the transaction rolls back;
    it has no rollback hook. So this hook's only reference is that list: on commit it is
    called and cancels the clean-up; on rollback it is dropped, and its finaliser
    deletes the files that no committed row will ever point to.
    """

    def __init__(self, storage: Storage, names: list[str]):
        self.clean_up = weakref.finalize(self, delete_quietly, storage, list(names))

    def __call__(self) -> None:
        self.clean_up.detach()


def delete_unless_committed(storage: Storage, names: list[str], using: str | None = None) -> None:
    """Remove `names` from `storage` if the current transaction does not commit.

    Call it right after the row pointing at the files was saved. Outside a transaction
    the row is already committed and the files are kept. A process killed before the
    end of its transaction leaves its files behind: `manage.py find_orphan_files` finds
    those.
    """
    if names:
        transaction.on_commit(_KeptOnCommit(storage, names), using=using)
