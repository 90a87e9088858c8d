"""Baking a badge: its PNG image with the credential inside.

Open Badges 2.0 (Baking Specification 2.0): one `iTXt` chunk with the keyword `openbadges`, not
compressed, holding the assertion's URL (a hosted assertion is verified where it lives).
Open Badges 3.0: one `iTXt` chunk with the keyword `openbadgecredential`, not compressed,
holding the signed credential itself as JSON (it verifies without the portal).
An image in another format (a JPEG upload) is converted to PNG first; a chunk from an earlier
baking is replaced, never repeated."""

from __future__ import annotations

import io

from PIL import Image, PngImagePlugin

BAKING_KEYWORD = "openbadges"
OB3_BAKING_KEYWORD = "openbadgecredential"


def bake_png(image: bytes, *, assertion: str, keyword: str = BAKING_KEYWORD) -> bytes:
    """The image as a PNG with `assertion` (OB 2.0: its URL; OB 3.0: the credential's JSON)
    baked in under `keyword`."""
    with Image.open(io.BytesIO(image)) as source:
        source.load()
        picture = (
            source if source.mode in {"RGB", "RGBA", "L", "LA", "P"} else source.convert("RGBA")
        )
        info = PngImagePlugin.PngInfo()
        for key, value in getattr(source, "text", {}).items():
            if key != keyword and isinstance(value, str):
                info.add_text(key, value)
        info.add_itxt(keyword, assertion, zip=False)
        out = io.BytesIO()
        picture.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def extract_assertion(png: bytes, *, keyword: str = BAKING_KEYWORD) -> str | None:
    """The assertion (or OB 3.0 credential) baked into a PNG under `keyword`, or None."""
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        value = image.text.get(keyword) if hasattr(image, "text") else None
    return str(value) if value is not None else None
