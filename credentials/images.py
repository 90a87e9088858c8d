"""The PNG of a badge without an uploaded image, for its Open Badges documents and baked
downloads: the same disc and initials as its generated SVG (badges/images.py), drawn with Pillow,
since baking needs a PNG."""

from __future__ import annotations

import colorsys
import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from badges.images import badge_hue, badge_initials

SIZE = 256


def _rgb(hue: int, saturation: float, lightness: float) -> tuple[int, int, int]:
    red, green, blue = colorsys.hls_to_rgb(hue / 360, lightness, saturation)
    return round(red * 255), round(green * 255), round(blue * 255)


@lru_cache(maxsize=256)
def generated_png(name: str) -> bytes:
    hue, initials = badge_hue(name), badge_initials(name)
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse(
        (4, 4, SIZE - 4, SIZE - 4),
        fill=_rgb(hue, 0.60, 0.30),
        outline=_rgb(hue, 0.55, 0.45),
        width=8,
    )
    font = ImageFont.load_default(size=112 if len(initials) > 1 else 128)
    draw.text((SIZE / 2, SIZE / 2), initials, fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
