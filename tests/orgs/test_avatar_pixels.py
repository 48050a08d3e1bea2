"""Bounded image decoding for avatars: a small file with a huge canvas is
refused from its header, before any pixel is decoded."""

import io
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from orgs import avatars


def png(size, mode="1"):
    out = io.BytesIO()
    Image.new(mode, size, 0).save(out, format="PNG")
    return out.getvalue()


def test_a_6300_square_png_is_refused_cheaply(monkeypatch):
    data = png((6300, 6300))
    assert len(data) < 100_000  # tens of KB on disk
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(self) or None)
    start = time.perf_counter()
    with pytest.raises(ValidationError, match="too many pixels"):
        avatars.process_avatar(SimpleUploadedFile("big.png", data, "image/png"))
    assert time.perf_counter() - start < 1.0
    assert decoded == []  # refused from the header


def test_an_ordinary_avatar_still_works():
    content = avatars.process_avatar(SimpleUploadedFile("a.png", png((800, 600), "RGB")))
    assert Image.open(io.BytesIO(content.read())).size == (256, 256)
