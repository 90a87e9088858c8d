"""Hostile files through the real entry points: badge image uploads posted to the edit page, and
completion imports in the wrong encoding or with malformed rows. Refused with a message; nothing
written. (Formula injection in the exported CSV: tests/badges/test_filters_issued_badges.py.)"""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from badges.models import Badge, BadgeChange
from catalog.models import ExamAttempt, LabCompletion
from tests.badges.images import SVG_WITH_SCRIPT, bomb_png_bytes, gif_bytes, upload
from tests.factories import LabFactory, StudentFactory

pytestmark = pytest.mark.django_db

HEADER = "kind,student,item,completed_at,score"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.4 not an image at all", "report.pdf", "Upload a PNG or JPEG image"),
        (b"MZ\x90\x00\x03" + b"\x00" * 500, "badge.png", "Upload a PNG or JPEG image"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 500, "badge.jpg", "Upload a PNG or JPEG image"),
        (bomb_png_bytes(), "bomb.png", "far too many pixels"),
        (SVG_WITH_SCRIPT, "logo.svg", "SVG is not accepted"),
        (gif_bytes(), "animated.png", "Upload a PNG or JPEG image"),
    ],
    ids=["non-image", "renamed-exe", "renamed-elf", "decompression-bomb", "svg-script", "gif"],
)
def test_hostile_upload_on_the_edit_page_is_refused_with_a_message(
    client, administrator, manual_badge, content, name, message
):
    client.force_login(administrator)
    response = client.post(
        reverse("badges:edit", args=[manual_badge.pk]),
        {
            "name": "Changed too",
            "description": "",
            "is_active": "on",
            "image": upload(content, name, content_type="image/png"),
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    manual_badge.refresh_from_db()
    assert manual_badge.name == "Star Participant"
    assert not manual_badge.image
    assert not BadgeChange.objects.filter(badge=manual_badge).exists()


def test_hostile_upload_on_the_create_page_creates_nothing(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("badges:create"),
        {"name": "New", "image": upload(b"MZ" + b"\x00" * 100, "new.png")},
    )
    assert response.status_code == 200
    assert "Upload a PNG or JPEG image" in response.content.decode()
    assert not Badge.objects.filter(name="New").exists()


@pytest.fixture
def lab_and_student(organization):
    return LabFactory(code="LAB-É"), StudentFactory(organization=organization, username="zoë")


def _nothing_imported():
    return not LabCompletion.objects.exists() and not ExamAttempt.objects.exists()


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("latin-1", b""), ("utf-16", b""), ("cp1252", b"")],
    ids=["latin-1", "utf-16", "cp1252"],
)
def test_import_in_a_wrong_encoding_is_refused_whole(tmp_path, lab_and_student, encoding, bom):
    path = tmp_path / "completions.csv"
    text = f"{HEADER}\nlab,zoë,LAB-É,2025-03-01T09:30:00+00:00,\n"
    path.write_bytes(bom + text.encode(encoding))
    with pytest.raises(CommandError, match="Cannot import"):
        call_command("import_completions", str(path))
    assert _nothing_imported()


def test_binary_file_is_refused_whole(tmp_path, lab_and_student):
    path = tmp_path / "completions.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(CommandError, match="Cannot import"):
        call_command("import_completions", str(path))
    assert _nothing_imported()


@pytest.mark.parametrize(
    "row",
    [
        "lab,zoë",  # too few cells
        "lab,zoë,LAB-É,2025-03-01,,extra,cells",  # too many: a bug, fixed
        "lab,,LAB-É,2025-03-01,",  # no student
        "lab,zoë,LAB-É,not a date,",
        "lab,zoë,LAB-É,2025-02-30,",
        "lab,zoë,LAB-É,9999-12-31T23:59:59+00:00,",  # in the future
        "exam,zoë,-1,2025-03-01,80",
        "exam,zoë,99999999999999999999999,2025-03-01,80",  # a bug on SQLite, fixed
        "exam,zoë,¹,2025-03-01,80",  # a bug ("¹".isdigit()), fixed
        "enrollment,zoë,²,2025-03-01,",
        "exam,zoë,1,2025-03-01,¹",
        "exam,zoë,1,2025-03-01,-5",
        "exam,zoë,1,2025-03-01,1e309",
        "=cmd|' /C calc'!A0,zoë,LAB-É,2025-03-01,",
        "lab,'; DROP TABLE catalog_labcompletion; --,LAB-É,2025-03-01,",
        'lab,"zoë\nnewline",LAB-É,2025-03-01,',
        "lab,zoë,LAB-É,2025-03-01\x00,",
    ],
)
def test_malformed_row_is_reported_and_not_written(tmp_path, lab_and_student, row, capsys):
    path = tmp_path / "completions.csv"
    path.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="refused and not written"):
        call_command("import_completions", str(path))
    # The line a record ends on (3 for a quoted value spanning two lines).
    assert capsys.readouterr().err.startswith(("line 2:", "line 3:"))
    assert _nothing_imported()


def test_a_row_with_more_cells_than_columns_is_refused_not_shifted(
    tmp_path, lab_and_student, capsys
):
    """Bug found: extra cells (a value with an unquoted comma) were silently dropped and the
    row written."""
    path = tmp_path / "completions.csv"
    path.write_text(f"{HEADER}\nlab,zoë,LAB-É,2025-03-01,,Smith, John\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_completions", str(path))
    assert capsys.readouterr().err == "line 2: 2 cell(s) more than the header has columns\n"
    assert _nothing_imported()
