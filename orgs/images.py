"""Opening uploaded images safely, for avatars (orgs.avatars) and workspace uploads
(workspaces.uploads): a format Pillow recognises among the allowed ones, a pixel ceiling against
decompression bombs, and a structural check."""

import io
import warnings

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
MAX_PIXELS = 40_000_000  # far above any real avatar, far below a decompression bomb


def open_image(data: bytes, *, verify: bool = False, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Open `data` as an allowed image format, decoded (or, with `verify`, only checked for
    structure and checksums, without decoding every pixel); refuse bombs and broken files
    with a ValidationError (codes "invalid_type", "bomb", "invalid_image"). The size read from
    the header is checked against `max_pixels` before a single pixel is decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError("Upload a PNG, JPEG, GIF or WebP image.", code="invalid_type")
            if image.width * image.height > max_pixels:
                raise ValidationError("The image has too many pixels.", code="bomb")
            if verify:
                image.verify()
            else:
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError("The image has too many pixels.", code="bomb") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError("Upload a valid image file.", code="invalid_image") from None
    return image
