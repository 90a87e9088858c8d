"""Baking a badge: its PNG image with the assertion inside (Open Badges Baking Specification 2.0).

One `iTXt` chunk with the keyword `openbadges`, not compressed, holding the assertion's URL
(a hosted assertion is verified where it lives). An image in another format (a JPEG upload)
is converted to PNG first; a chunk from an earlier baking is replaced, never repeated."""

from __future__ import annotations

import io

from PIL import Image, PngImagePlugin

BAKING_KEYWORD = "openbadges"


def bake_png(image: bytes, *, assertion: str) -> bytes:
    """The image as a PNG with `assertion` baked in."""
    with Image.open(io.BytesIO(image)) as source:
        source.load()
        picture = (
            source if source.mode in {"RGB", "RGBA", "L", "LA", "P"} else source.convert("RGBA")
        )
        info = PngImagePlugin.PngInfo()
        for key, value in getattr(source, "text", {}).items():
            if key != BAKING_KEYWORD and isinstance(value, str):
                info.add_text(key, value)
        info.add_itxt(BAKING_KEYWORD, assertion, zip=False)
        out = io.BytesIO()
        picture.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def extract_assertion(png: bytes) -> str | None:
    """The assertion baked into a PNG, or None."""
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        value = image.text.get(BAKING_KEYWORD) if hasattr(image, "text") else None
    return str(value) if value is not None else None
