"""Avatar uploads: validated for type and size, decompression bombs refused, resized to a square
thumbnail (PNG)."""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

from .images import open_image

AVATAR_SIZE = 256
# An avatar is shown at 256 px: a larger source only costs memory while it is decoded (a 38 KB
# 6300×6300 PNG grew a worker by 300 MB). Checked from the header, before decoding.
AVATAR_MAX_PIXELS = 4096 * 4096


def process_avatar(upload) -> ContentFile:
    """Validate an uploaded image and return a square PNG thumbnail to store."""
    if upload.size > settings.AVATAR_MAX_BYTES:
        limit = settings.AVATAR_MAX_BYTES // (1024 * 1024)
        raise ValidationError(f"The image is too large: at most {limit} MB.", code="too_large")
    image = open_image(upload.read(), max_pixels=AVATAR_MAX_PIXELS)
    image = ImageOps.exif_transpose(image).convert("RGBA")
    thumb = ImageOps.fit(image, (AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    thumb.save(out, format="PNG", optimize=True)
    return ContentFile(out.getvalue(), name="avatar.png")


def replace_avatar(instance, content: ContentFile | None = None, *, remove: bool = False) -> bool:
    """Point `instance.avatar` at a new processed image (from process_avatar), or clear it.
    The new file gets a fresh name so URLs that carry it can be cached for good; the old file
    is deleted once the surrounding transaction commits. The caller saves the instance.
    Returns whether the avatar changed."""
    from uuid import uuid4

    from django.db import transaction

    field = instance.avatar
    old_name = field.name
    if content is not None:
        field.save(f"{uuid4().hex}.png", content, save=False)
    elif remove and old_name:
        instance.avatar = ""
    else:
        return False
    if old_name:
        storage = field.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return True
