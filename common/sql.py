"""Helpers for the raw SQL of set-based statements, the same on PostgreSQL and SQLite."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import connection
from django.db.models import CharField, Func, UUIDField


class SqlBuilder:
    """A fragment of SQL and its parameters, built in order."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list = []

    def add(self, sql: str, *params) -> SqlBuilder:
        self.parts.append(sql)
        self.params.extend(params)
        return self

    def build(self) -> tuple[str, list]:
        return " ".join(self.parts), self.params


def db_datetime(value: datetime):
    """A datetime as the backend stores it, for raw SQL (SQLite compares text)."""
    return connection.ops.adapt_datetimefield_value(value)


def in_list(column: str, values: Sequence[int]) -> tuple[str, list]:
    """`column` is one of `values`: one array parameter on PostgreSQL, a list of them on SQLite."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def later_of(first: str, second: str) -> str:
    """The later of two timestamp expressions."""
    return (
        f"GREATEST({first}, {second})"
        if connection.vendor == "postgresql"
        else f"MAX({first}, {second})"
    )


class RandomUUID(Func):
    """A random (version 4) UUID made by the database, for rows that set-based INSERTs write.
    SQLite keeps a UUID as 32 hexadecimal digits: random ones, with the version and variant
    digits set."""

    output_field = UUIDField()
    template = "gen_random_uuid()"

    def as_sqlite(self, compiler, connection, **extra_context):
        return (
            "lower(hex(randomblob(6)) || '4' || substr(hex(randomblob(2)), 2) "
            "|| substr('89ab', 1 + (abs(random()) %% 4), 1) || substr(hex(randomblob(2)), 2) "
            "|| hex(randomblob(6)))",
            [],
        )


class RandomHex(Func):
    """32 random hexadecimal characters made by the database (a salt)."""

    output_field = CharField()
    template = "replace(gen_random_uuid()::text, '-', '')"

    def as_sqlite(self, compiler, connection, **extra_context):
        return "lower(hex(randomblob(16)))", []
