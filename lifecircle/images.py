"""Checks on uploaded photos, shared by every app that takes them (participation's proposals and
follow-ups, requests311's street reports): at most 5 MB, really a JPEG, PNG or WebP image (Pillow
decides, not the file name or the browser's content type), and re-encoded before storing so that
metadata such as the GPS position a phone writes into a photo never leaves the resident's hands.

Refusals are ``ValidationError`` with a message naming the file and the limit, and a ``code``:
``too_big``, ``type`` or ``too_many``; callers turn them into their own 400 answers."""
import io
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # about 7,700 × 5,200: more than any phone camera, far less than a decompression bomb
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
ACCEPT = "image/jpeg,image/png,image/webp"  # a file input's accept= for these formats
MAX_PHOTOS = 6


def check_image(upload):
    """A clean copy of ``upload`` (a Django UploadedFile) named ``<random>.<ext>``, or ValidationError."""
    name = getattr(upload, "name", "") or _("the photo")
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("%(name)s is %(size).1f MB; photos may be at most %(limit)d MB.")
            % {"name": name, "size": upload.size / 1024 / 1024, "limit": MAX_BYTES // 1024 // 1024}, code="too_big")
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:  # the declared size lied
        raise ValidationError(_("%(name)s is larger than %(limit)d MB.") % {"name": name, "limit": MAX_BYTES // 1024 // 1024},
                              code="too_big")
    not_an_image = ValidationError(_("%(name)s is not a JPEG, PNG or WebP image.") % {"name": name}, code="type")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format
                width, height = probe.size
                probe.verify()
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError, OSError,
            SyntaxError, ValueError, EOFError):
        raise not_an_image from None
    if kind not in FORMATS:
        raise ValidationError(_("%(name)s is a %(format)s image; only JPEG, PNG and WebP photos are accepted.")
                              % {"name": name, "format": kind}, code="type")
    if width * height > MAX_PIXELS:
        raise ValidationError(_("%(name)s has %(width)d × %(height)d pixels; that is too large.")
                              % {"name": name, "width": width, "height": height}, code="too_big")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # verify() does not decode JPEG data: a truncated file fails here
            image = ImageOps.exif_transpose(image)
            if kind == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            # No exif, icc_profile or text chunks are passed on: the copy has pixels only.
            image.save(out, format=kind, **({"quality": 88} if kind in ("JPEG", "WEBP") else {}))
    except (OSError, SyntaxError, ValueError, EOFError):
        raise not_an_image from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{FORMATS[kind]}")


def check_images(uploads):
    """Check every upload before any is stored, so one bad photo refuses them all."""
    uploads = [u for u in uploads if u]
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(_("At most %(limit)d photos at a time.") % {"limit": MAX_PHOTOS}, code="too_many")
    return [check_image(u) for u in uploads]
