"""Avatar uploads: validated for type and size, decompression bombs refused, resized to a square
thumbnail (PNG)."""

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

AVATAR_SIZE = 256
ALLOWED_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
MAX_PIXELS = 40_000_000  # far above any real avatar, far below a decompression bomb


def process_avatar(upload) -> ContentFile:
    """Validate an uploaded image and return a square PNG thumbnail to store."""
    if upload.size > settings.AVATAR_MAX_BYTES:
        limit = settings.AVATAR_MAX_BYTES // (1024 * 1024)
        raise ValidationError(f"The image is too large: at most {limit} MB.", code="too_large")
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError("Upload a PNG, JPEG, GIF or WebP image.", code="invalid_type")
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError("The image has too many pixels.", code="bomb")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError("The image has too many pixels.", code="bomb") from None
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError("Upload a valid image file.", code="invalid_image") from None
    image = ImageOps.exif_transpose(image).convert("RGBA")
    thumb = ImageOps.fit(image, (AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    thumb.save(out, format="PNG", optimize=True)
    return ContentFile(out.getvalue(), name="avatar.png")
