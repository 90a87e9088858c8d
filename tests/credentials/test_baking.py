"""Baking a badge (Open Badges Baking Specification 2.0): the PNG carries exactly one `iTXt` chunk
with the keyword `openbadges`, not compressed, holding the assertion's URL; a JPEG is converted to
PNG first; baking again replaces the chunk. The chunks are read here with struct and zlib, so that
the checks do not rest on Pillow, which bakes them."""

import io
import struct
import uuid
import zlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image, PngImagePlugin, UnidentifiedImageError

from credentials.baking import BAKING_KEYWORD, bake_png, extract_assertion
from tests.badges.images import jpeg_bytes, png_bytes
from tests.factories import BadgeFactory, BadgeIssuanceFactory

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ASSERTION = "https://badges.example.test/public/assertions/5b0c2c1e-8d2f-4f0e-9a53-0d3c5b7a9e11"
OTHER_ASSERTION = (
    "https://badges.example.test/public/assertions/0f6f7b8e-1c0d-4f5a-8b1e-7a6c9d2e3f40"
)


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """The (type, data) of every chunk of a PNG, checking the signature, each chunk's CRC, that
    IHDR comes first, that IEND comes last and that nothing follows it."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG signature"
    chunks = []
    position = 8
    while position < len(data):
        assert position + 8 <= len(data), "truncated chunk header"
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        assert len(body) == length, f"truncated {kind!r} chunk"
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, f"bad CRC in the {kind!r} chunk"
        chunks.append((kind, body))
        position += 12 + length
        if kind == b"IEND":
            break
    assert position == len(data), "bytes after IEND"
    assert chunks[0][0] == b"IHDR"
    assert chunks[-1][0] == b"IEND"
    return chunks


def text_chunks(data: bytes) -> list[dict]:
    """Every tEXt, zTXt and iTXt chunk, decoded by hand (PNG specification, section 11.3.4)."""
    found = []
    for kind, body in png_chunks(data):
        if kind == b"iTXt":
            keyword, rest = body.split(b"\x00", 1)
            compression_flag, compression_method = rest[0], rest[1]
            language, rest = rest[2:].split(b"\x00", 1)
            translated, text = rest.split(b"\x00", 1)
            found.append(
                {
                    "type": "iTXt",
                    "keyword": keyword.decode("latin-1"),
                    "compression_flag": compression_flag,
                    "compression_method": compression_method,
                    "language": language,
                    "translated": translated,
                    "text": text,
                }
            )
        elif kind in {b"tEXt", b"zTXt"}:
            keyword, text = body.split(b"\x00", 1)
            found.append(
                {"type": kind.decode(), "keyword": keyword.decode("latin-1"), "text": text}
            )
    return found


def openbadges_chunks(data: bytes) -> list[dict]:
    return [chunk for chunk in text_chunks(data) if chunk["keyword"] == BAKING_KEYWORD]


def png_size(data: bytes) -> tuple[int, int]:
    kind, header = png_chunks(data)[0]
    return struct.unpack(">II", header[:8])


def test_the_parser_here_catches_a_bad_crc():
    """The chunk reader of these tests is itself a check: a flipped byte fails it."""
    baked = bytearray(bake_png(png_bytes(), assertion=ASSERTION))
    baked[baked.index(ASSERTION.encode())] ^= 0x01
    with pytest.raises(AssertionError, match="bad CRC"):
        png_chunks(bytes(baked))


def test_a_baked_png_round_trips_its_assertion():
    original = png_bytes()
    assert extract_assertion(original) is None

    baked = bake_png(original, assertion=ASSERTION)

    assert extract_assertion(baked) == ASSERTION


def test_exactly_one_uncompressed_itxt_chunk_named_openbadges():
    baked = bake_png(png_bytes(), assertion=ASSERTION)

    chunks = openbadges_chunks(baked)

    assert len(chunks) == 1, chunks
    (chunk,) = chunks
    assert chunk["type"] == "iTXt"
    assert chunk["compression_flag"] == 0
    assert chunk["compression_method"] == 0
    # Not compressed: the URL is there as plain UTF-8 bytes.
    assert chunk["text"] == ASSERTION.encode("utf-8")
    # The chunk comes before the image data, where a reader that stops early still finds it.
    kinds = [kind for kind, _ in png_chunks(baked)]
    assert kinds.index(b"iTXt") < kinds.index(b"IDAT")


def test_the_pixels_and_size_survive_baking():
    original = png_bytes(width=40, height=24, color=(10, 200, 30))

    baked = bake_png(original, assertion=ASSERTION)

    assert png_size(baked) == (40, 24)
    with Image.open(io.BytesIO(baked)) as image:
        assert image.getpixel((5, 5))[:3] == (10, 200, 30)


def test_baking_again_replaces_the_chunk():
    once = bake_png(png_bytes(), assertion=ASSERTION)

    twice = bake_png(once, assertion=OTHER_ASSERTION)

    chunks = openbadges_chunks(twice)
    assert len(chunks) == 1, chunks
    assert chunks[0]["type"] == "iTXt"
    assert chunks[0]["text"] == OTHER_ASSERTION.encode()
    assert extract_assertion(twice) == OTHER_ASSERTION


def test_baking_again_replaces_a_chunk_written_as_text_by_another_baker():
    """A PNG baked elsewhere with a tEXt `openbadges` chunk: still one chunk after baking here."""
    info = PngImagePlugin.PngInfo()
    info.add_text(BAKING_KEYWORD, ASSERTION)
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (1, 2, 3)).save(out, format="PNG", pnginfo=info)
    assert [c["type"] for c in openbadges_chunks(out.getvalue())] == ["tEXt"]

    baked = bake_png(out.getvalue(), assertion=OTHER_ASSERTION)

    chunks = openbadges_chunks(baked)
    assert [(c["type"], c["text"]) for c in chunks] == [("iTXt", OTHER_ASSERTION.encode())]


def test_other_text_chunks_of_the_image_are_kept():
    baked = bake_png(png_bytes(text_chunk="Made by the design team"), assertion=ASSERTION)

    comments = [c for c in text_chunks(baked) if c["keyword"] == "Comment"]

    assert [c["text"] for c in comments] == [b"Made by the design team"]


@pytest.mark.parametrize("mode", ["RGB", "L", "CMYK"])
def test_a_jpeg_is_converted_to_a_valid_png(mode):
    out = io.BytesIO()
    Image.new(mode, (72, 48)).save(out, format="JPEG")
    jpeg = out.getvalue()
    assert jpeg[:3] == b"\xff\xd8\xff"

    baked = bake_png(jpeg, assertion=ASSERTION)

    assert baked[:8] == PNG_SIGNATURE
    assert png_size(baked) == (72, 48)
    assert len(openbadges_chunks(baked)) == 1
    with Image.open(io.BytesIO(baked)) as image:
        assert image.format == "PNG"
        assert image.size == (72, 48)
        image.load()
    assert extract_assertion(baked) == ASSERTION


def test_what_is_not_an_image_is_refused():
    # An OSError, which the download view catches to bake the default image instead.
    assert issubclass(UnidentifiedImageError, OSError)
    with pytest.raises(UnidentifiedImageError):
        bake_png(b"this is not an image", assertion=ASSERTION)


# The public download: GET /public/assertions/<uuid>/badge.png, no login.


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://badges.example.test"
    return settings.SITE_URL


def expected_assertion(site_url, issuance) -> str:
    return site_url + reverse("credentials:assertion", args=[issuance.uuid])


def get_baked(client, issuance):
    return client.get(reverse("credentials:baked_image", args=[issuance.uuid]))


@pytest.mark.django_db
def test_the_download_is_a_png_attachment_with_the_assertion_url_baked_in(client, site_url):
    issuance = BadgeIssuanceFactory(badge__name="Star Participant")
    issuance.refresh_from_db()  # the uuid is made by the database
    assert issuance.uuid is not None

    response = get_baked(client, issuance)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="star-participant.png"'
    assert reverse("credentials:baked_image", args=[issuance.uuid]) == (
        f"/public/assertions/{issuance.uuid}/badge.png"
    )
    png = response.content
    chunks = openbadges_chunks(png)
    assert len(chunks) == 1
    assert chunks[0]["compression_flag"] == 0
    assert extract_assertion(png) == expected_assertion(site_url, issuance)
    assert extract_assertion(png) == (
        f"https://badges.example.test/public/assertions/{issuance.uuid}"
    )


@pytest.mark.django_db
def test_a_badge_without_an_image_bakes_the_default_image(client, site_url):
    issuance = BadgeIssuanceFactory()
    issuance.refresh_from_db()

    png = get_baked(client, issuance).content

    assert png_size(png) == (256, 256)
    assert extract_assertion(png) == expected_assertion(site_url, issuance)


@pytest.mark.django_db
def test_a_badge_with_an_uploaded_jpeg_bakes_that_image(client, site_url):
    badge = BadgeFactory(name="Safety Champion")
    badge.image.save("safety.jpg", ContentFile(jpeg_bytes(width=90, height=60)), save=True)
    issuance = BadgeIssuanceFactory(badge=badge)
    issuance.refresh_from_db()

    response = get_baked(client, issuance)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    png = response.content
    assert png[:8] == PNG_SIGNATURE
    assert png_size(png) == (90, 60)  # the upload, not the 256 × 256 default
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        red, green, blue = image.convert("RGB").getpixel((45, 30))
        # jpeg_bytes() paints (200, 40, 40)
        assert red > 150
        assert green < 100
        assert blue < 100
    assert len(openbadges_chunks(png)) == 1
    assert extract_assertion(png) == expected_assertion(site_url, issuance)


@pytest.mark.django_db
def test_a_stored_image_that_is_already_baked_is_baked_once(client, site_url):
    badge = BadgeFactory()
    stale = bake_png(png_bytes(width=30, height=30), assertion=ASSERTION)
    badge.image.save("baked.png", ContentFile(stale), save=True)
    issuance = BadgeIssuanceFactory(badge=badge)
    issuance.refresh_from_db()

    png = get_baked(client, issuance).content

    chunks = openbadges_chunks(png)
    assert len(chunks) == 1
    assert chunks[0]["text"] == expected_assertion(site_url, issuance).encode()


@pytest.mark.django_db
def test_an_upload_pillow_cannot_read_bakes_the_default_image(client, site_url):
    badge = BadgeFactory()
    badge.image.save("broken.png", ContentFile(b"not a png at all"), save=True)
    issuance = BadgeIssuanceFactory(badge=badge)
    issuance.refresh_from_db()

    response = get_baked(client, issuance)

    assert response.status_code == 200
    assert png_size(response.content) == (256, 256)
    assert extract_assertion(response.content) == expected_assertion(site_url, issuance)


@pytest.mark.django_db
def test_an_unknown_uuid_is_a_404(client):
    BadgeIssuanceFactory()

    response = client.get(reverse("credentials:baked_image", args=[uuid.uuid4()]))

    assert response.status_code == 404
