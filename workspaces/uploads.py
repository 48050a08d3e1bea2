"""Workspace uploads — assets (images and PDF) and brand-kit logos — validated by their content,
never by the name or the Content-Type the client sent. Images are opened as avatars are
(`orgs.images.open_image`): a format Pillow recognises among the allowed ones, a pixel ceiling
against decompression bombs, and a structural check."""

import io
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

from orgs.images import ALLOWED_FORMATS, open_image

PDF_MAGIC = b"%PDF-"
# Image format (as Pillow names it) → (content type, file extension)
IMAGE_TYPES = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}
assert set(IMAGE_TYPES) == ALLOWED_FORMATS
PDF_TYPE = ("application/pdf", "pdf")
LOGO_MAX_SIDE = 512


@dataclass(frozen=True)
class InspectedFile:
    content_type: str
    extension: str
    size: int


def _megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB"


def _check_size(upload, limit: int) -> None:
    if upload.size > limit:
        raise ValidationError(
            f"The file is too large: at most {_megabytes(limit)}.", code="too_large"
        )
    if upload.size == 0:
        raise ValidationError("The file is empty.", code="empty")


def _read(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def inspect_asset(upload) -> InspectedFile:
    """What an uploaded asset really is (PDF or an allowed image), or ValidationError."""
    _check_size(upload, settings.ASSET_MAX_BYTES)
    data = _read(upload)
    if data.startswith(PDF_MAGIC):
        content_type, extension = PDF_TYPE
        return InspectedFile(content_type, extension, len(data))
    try:
        image = open_image(data, verify=True)
    except ValidationError as error:
        if error.code in ("invalid_image", "invalid_type"):
            raise ValidationError(
                "Upload an image (PNG, JPEG, GIF or WebP) or a PDF document.", code="invalid_type"
            ) from None
        raise
    content_type, extension = IMAGE_TYPES[image.format]
    return InspectedFile(content_type, extension, len(data))


class ProcessedLogo(ContentFile):
    """A logo that went through process_logo: safe to store as it is."""


def process_logo(upload) -> ProcessedLogo:
    """Validate a brand-kit logo like an avatar and return it re-encoded as a PNG no larger
    than LOGO_MAX_SIDE on either side (aspect ratio kept). Already processed logos pass as
    they are."""
    if isinstance(upload, ProcessedLogo):
        return upload
    _check_size(upload, settings.AVATAR_MAX_BYTES)
    image = open_image(_read(upload))
    image = ImageOps.exif_transpose(image).convert("RGBA")
    image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return ProcessedLogo(out.getvalue(), name=random_name("png"))


def random_name(extension: str) -> str:
    """An unguessable storage name: stored files are only ever reached through member-only
    views, and their names must not be guessable even where media is served directly."""
    return f"{secrets.token_urlsafe(18)}.{extension}"


# Extensions a download of each type may keep (the first is the one added when missing).
EXTENSIONS = {
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "application/pdf": ("pdf",),
}
_EXTENSION_RE = re.compile(r"^[A-Za-z0-9]{1,5}$")


def download_name(name: str, content_type: str) -> str:
    """The file name a download is offered under: the asset's name, with the extension of its
    real type (so "invoice.html" that is really a PNG downloads as "invoice.png")."""
    allowed = EXTENSIONS.get(content_type, ("bin",))
    name = " ".join(name.replace("/", " ").replace("\\", " ").split()) or "download"
    stem, dot, current = name.rpartition(".")
    if dot and stem and current.lower() in allowed:
        return name
    if dot and stem and _EXTENSION_RE.match(current):
        name = stem
    return f"{name}.{allowed[0]}"


def stored_image_type(field_file) -> str | None:
    """The content type of a stored image from its first bytes (None when it is not one of
    the allowed formats) — for files that did not come through this module, e.g. seeded."""
    try:
        with field_file.open("rb") as handle:
            head = handle.read(12)
    except FileNotFoundError:
        return None
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    return None
