"""Issued badges as CSV rows: read in chunks, streamed, with every cell safe to open in a
spreadsheet."""

import csv
import io

from django.utils import timezone

from .models import BadgeIssuance

CSV_CHUNK_SIZE = 2000


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _person(first_name: str, last_name: str, username: str) -> str:
    return f"{first_name} {last_name}".strip() or username


def _csv_safe(value: str) -> str:
    return f"'{value}" if value.startswith(CSV_FORMULA_PREFIXES) else value


ISSUED_BADGES_CSV_COLUMNS = [
    "Issued at",
    "Badge",
    "Organization",
    "Student",
    "Student email",
    "Method",
    "Source",
    "From",
    "Issued by",
    "Status",
    "Expires at",
    "Revoked at",
    "Revocation reason",
]


def _status(*, revoked_at, expires_at, now) -> str:
    if revoked_at is not None:
        return BadgeIssuance.Status.REVOKED.label
    if expires_at is not None and expires_at <= now:
        return BadgeIssuance.Status.EXPIRED.label
    return BadgeIssuance.Status.VALID.label


def issued_badges_csv_rows(issuances, *, extra_columns: tuple[tuple[str, str], ...] = ()):
    """Each issuance as the CSV row it exports to, read from the database in chunks.
    `extra_columns` are (header, name) of text values annotated on `issuances` by a floor
    above (the Issued Status of deliveries), added at the end of each row."""
    methods = dict(BadgeIssuance.Method.choices)
    sources = dict(BadgeIssuance.Source.choices)
    local_time = timezone.get_current_timezone()
    now = timezone.now()

    def stamp(moment):
        return moment.astimezone(local_time).strftime("%Y-%m-%d %H:%M:%S") if moment else ""

    rows = issuances.values_list(
        "issued_at",
        "badge__name",
        "badge__organization__name",
        "recipient__first_name",
        "recipient__last_name",
        "recipient__username",
        "recipient__email",
        "method",
        "source",
        "source_achievement__name",
        "source_class__name",
        "source_assignment__course__title",
        "issued_by__first_name",
        "issued_by__last_name",
        "issued_by__username",
        "expires_at",
        "revoked_at",
        "revocation_reason",
        *(name for _, name in extra_columns),
    )
    for (
        issued_at,
        badge,
        organization,
        first_name,
        last_name,
        username,
        email,
        method,
        source,
        achievement,
        course_class,
        assignment_course,
        issuer_first_name,
        issuer_last_name,
        issuer_username,
        expires_at,
        revoked_at,
        revocation_reason,
        *extra,
    ) in rows.iterator(chunk_size=CSV_CHUNK_SIZE):
        origin = achievement or course_class or assignment_course or ""
        issuer = _person(issuer_first_name or "", issuer_last_name or "", issuer_username or "")
        yield [
            _csv_safe(value)
            for value in (
                stamp(issued_at),
                badge,
                organization,
                _person(first_name, last_name, username),
                email,
                methods.get(method, method),
                sources.get(source, source),
                origin,
                issuer,
                _status(revoked_at=revoked_at, expires_at=expires_at, now=now),
                stamp(expires_at),
                stamp(revoked_at),
                revocation_reason,
                *(value or "" for value in extra),
            )
        ]


def _stream_csv(rows, header=ISSUED_BADGES_CSV_COLUMNS):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % CSV_CHUNK_SIZE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def issued_badges_csv_stream(issuances, *, extra_columns: tuple[tuple[str, str], ...] = ()):
    """The header and the rows of these issuances as chunks of CSV text."""
    return _stream_csv(
        issued_badges_csv_rows(issuances, extra_columns=extra_columns),
        [*ISSUED_BADGES_CSV_COLUMNS, *(header for header, _ in extra_columns)],
    )
