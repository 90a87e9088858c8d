"""Issued badges as CSV rows: read in chunks, streamed, with every cell safe to open in a
spreadsheet.

Two paths give the same bytes. On PostgreSQL the rows are written by the database itself:
`COPY (SELECT …) TO STDOUT (FORMAT csv)` over the search's own query (its joins, filters and
order, compiled by the ORM), every cell computed and escaped in SQL, streamed through psycopg's
copy blocks. Elsewhere (SQLite) and as the reference of the tests, Python reads the rows in chunks
and writes them with the csv module.
"""

import csv
import io
import zoneinfo

from django.db import connections
from django.db.models import Case, CharField, F, Func, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce, Concat, NullIf
from django.db.models.lookups import In
from django.utils import timezone

from accounts.models import person_name

from .models import BadgeIssuance

CSV_CHUNK_SIZE = 2000


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
        issuer = person_name(issuer_first_name or "", issuer_last_name or "", issuer_username or "")
        yield [
            _csv_safe(value)
            for value in (
                stamp(issued_at),
                badge,
                organization,
                person_name(first_name, last_name, username),
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
    """The header and the rows of these issuances as chunks of CSV: written by COPY on
    PostgreSQL (when the time zone has a name, as settings.TIME_ZONE does), by Python elsewhere;
    the same bytes either way."""
    if connections[issuances.db].vendor == "postgresql" and isinstance(
        timezone.get_current_timezone(), zoneinfo.ZoneInfo
    ):
        return issued_badges_csv_copy_stream(issuances, extra_columns=extra_columns)
    return issued_badges_csv_python_stream(issuances, extra_columns=extra_columns)


def issued_badges_csv_python_stream(issuances, *, extra_columns: tuple[tuple[str, str], ...] = ()):
    """The header and the rows of these issuances as chunks of CSV text, written by Python (the
    path on SQLite, and the reference the COPY path is tested against)."""
    return _stream_csv(
        issued_badges_csv_rows(issuances, extra_columns=extra_columns),
        [*ISSUED_BADGES_CSV_COLUMNS, *(header for header, _ in extra_columns)],
    )


# PostgreSQL: the same rows written by COPY -----------------------------------------------------

# What str.strip() strips (every Unicode whitespace character), for btrim: a name of only spaces
# reads as the username in both paths.
_WHITESPACE = "".join(chr(code) for code in range(1, 0x3001) if chr(code).isspace())
# Bytes of a block of the response: many CopyData rows joined, so the server writes few chunks.
COPY_BLOCK_BYTES = 256 * 1024


_FORMULA_CODES = [ord(prefix) for prefix in CSV_FORMULA_PREFIXES]


def _csv_safe_sql(expression):
    """`_csv_safe` in SQL: a leading formula character (ascii() of the first character, 0 for
    an empty text: no allocation, no regex) gets a quote in front; an empty text becomes NULL,
    which COPY writes as an empty unquoted cell (as the csv module writes ""), where COPY would
    write an empty text as \"\". The expression is compiled into each branch: cheap for the
    columns and the joined labels it wraps."""
    first = Func(expression, function="ascii", output_field=IntegerField())
    return Case(
        When(In(first, _FORMULA_CODES), then=Concat(Value("'"), expression)),
        default=NullIf(expression, Value("")),
        output_field=CharField(),
    )


def _stamp_sql(field: str, zone: str) -> Func:
    """`stamp` in SQL: the moment in the time zone, to the second (to_char truncates, as strftime
    does), NULL (an empty cell) for none."""
    return Func(
        F(field),
        Value(zone),
        template="to_char(%(expressions)s, 'YYYY-MM-DD HH24:MI:SS')",
        arg_joiner=" AT TIME ZONE ",
        output_field=CharField(),
    )


def _person_sql(prefix: str, *, nullable: bool) -> Coalesce:
    """`person_name` in SQL: "first last" without surrounding whitespace, else the username."""

    def column(name: str):
        return Coalesce(F(f"{prefix}{name}"), Value("")) if nullable else F(f"{prefix}{name}")

    full_name = Func(
        Concat(column("first_name"), Value(" "), column("last_name"), output_field=CharField()),
        Value(_WHITESPACE),
        function="btrim",
        output_field=CharField(),
    )
    return Coalesce(NullIf(full_name, Value("")), column("username"), output_field=CharField())


def _label_sql(field: str, choices) -> Case:
    """A choice's label (escaped in Python: they are ours), the stored value if it has none."""
    return Case(
        *(When(**{field: value}, then=Value(_csv_safe(label))) for value, label in choices),
        default=_csv_safe_sql(F(field)),
        output_field=CharField(),
    )


def issued_badges_csv_copy_sql(
    issuances, *, extra_columns: tuple[tuple[str, str], ...] = ()
) -> tuple[str, list]:
    """The SELECT of the export's cells (the search's joins, filters and order), its SQL and
    params as the ORM compiles them."""
    local_time = timezone.get_current_timezone()
    if not isinstance(local_time, zoneinfo.ZoneInfo):
        raise ValueError("The COPY export needs a named time zone.")
    zone = local_time.key
    now = timezone.now()
    Status = BadgeIssuance.Status
    cells = {
        "issued_at": _stamp_sql("issued_at", zone),
        "badge": _csv_safe_sql(F("badge__name")),
        "organization": _csv_safe_sql(F("badge__organization__name")),
        "student": _csv_safe_sql(_person_sql("recipient__", nullable=False)),
        "email": _csv_safe_sql(F("recipient__email")),
        "method": _label_sql("method", BadgeIssuance.Method.choices),
        "source": _label_sql("source", BadgeIssuance.Source.choices),
        # `or` in Python: an empty name counts as none.
        "origin": _csv_safe_sql(
            Coalesce(
                NullIf(F("source_achievement__name"), Value("")),
                NullIf(F("source_class__name"), Value("")),
                NullIf(F("source_assignment__course__title"), Value("")),
                Value(""),
                output_field=CharField(),
            )
        ),
        "issuer": _csv_safe_sql(_person_sql("issued_by__", nullable=True)),
        "status": Case(
            When(revoked_at__isnull=False, then=Value(_csv_safe(Status.REVOKED.label))),
            When(
                Q(expires_at__isnull=False, expires_at__lte=now),
                then=Value(_csv_safe(Status.EXPIRED.label)),
            ),
            default=Value(_csv_safe(Status.VALID.label)),
            output_field=CharField(),
        ),
        "expires_at": _stamp_sql("expires_at", zone),
        "revoked_at": _stamp_sql("revoked_at", zone),
        "revocation_reason": _csv_safe_sql(F("revocation_reason")),
        **{f"extra_{n}": _csv_safe_sql(F(name)) for n, (_, name) in enumerate(extra_columns)},
    }
    aliases = {f"csv_{name}": expression for name, expression in cells.items()}
    query = issuances.annotate(**aliases).values_list(*aliases).query
    return query.get_compiler(using=issuances.db).as_sql()


def issued_badges_csv_copy_stream(issuances, *, extra_columns: tuple[tuple[str, str], ...] = ()):
    """The same chunks of CSV as `issued_badges_csv_stream`, written by PostgreSQL's COPY.

    COPY takes no bind parameters: the ORM's params are bound on the client by psycopg's
    ClientCursor.mogrify, which quotes each as a literal for this connection. COPY ends a row
    with "\n" where the csv module writes "\r\n"; the server sends one CopyData message per row
    (the protocol says so), so each row's last byte is replaced, whatever newlines a quoted cell
    holds."""
    import psycopg

    header = [*ISSUED_BADGES_CSV_COLUMNS, *(header for header, _ in extra_columns)]
    sql, params = issued_badges_csv_copy_sql(issuances, extra_columns=extra_columns)
    connection = connections[issuances.db]
    buffer = io.StringIO()
    csv.writer(buffer).writerow(header)
    yield buffer.getvalue().encode()
    connection.ensure_connection()
    statement = psycopg.ClientCursor(connection.connection).mogrify(sql, params)
    # Django's cursor, so that the statement is logged (and counted) like any other query.
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY ({statement}) TO STDOUT (FORMAT csv)") as copy,
    ):
        block: list = []
        size = 0
        for row in copy:
            block.append(row[:-1])
            block.append(b"\r\n")
            size += len(row)
            if size >= COPY_BLOCK_BYTES:
                yield b"".join(block)
                block.clear()
                size = 0
        if block:
            yield b"".join(block)
