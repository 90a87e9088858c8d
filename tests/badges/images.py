"""Uploaded files for the badge image tests: real images made with Pillow, and impostors."""

import io
import os
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin


def png_bytes(width=64, height=64, mode="RGB", color=(30, 120, 220), text_chunk=None) -> bytes:
    output = io.BytesIO()
    info = None
    if text_chunk:
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", text_chunk)
    Image.new(mode, (width, height), color if mode != "1" else 0).save(
        output, format="PNG", pnginfo=info
    )
    return output.getvalue()


def jpeg_bytes(width=64, height=64) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(output, format="JPEG")
    return output.getvalue()


def gif_bytes() -> bytes:
    output = io.BytesIO()
    Image.new("P", (16, 16)).save(output, format="GIF")
    return output.getvalue()


def noise_png_bytes(side: int) -> bytes:
    """Random pixels do not compress: a file of about 3 bytes per pixel."""
    output = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(output, format="PNG")
    return output.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def bomb_png_bytes(side=100_000) -> bytes:
    """A tiny file whose header claims side × side pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)


def upload(content: bytes, name="badge.png", content_type="image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
