"""The organization tree, set-based: descendants and ancestors of an organization with one
recursive query (SQL's `WITH RECURSIVE`, on PostgreSQL and SQLite alike), never by walking the
tree in Python. `parent_id` is indexed (a foreign key), so each step of the recursion is an index
lookup."""

from __future__ import annotations

from django.db import connection
from django.db.models import Exists, Q, QuerySet
from django.db.models.expressions import RawSQL

from .models import Availability, Organization

ORGANIZATIONS = Organization._meta.db_table


def descendants_sql(organization_id_sql: str = "%s") -> str:
    """A subquery of the ids of an organization and all its descendants; the organization's id
    is bound where `organization_id_sql` stands (a parameter, or a column of the outer query)."""
    return (
        f"WITH RECURSIVE tree(id) AS (SELECT CAST({organization_id_sql} AS bigint) "
        f"UNION SELECT o.id FROM {ORGANIZATIONS} o JOIN tree ON o.parent_id = tree.id) "
        "SELECT id FROM tree"
    )


def ancestors_sql() -> str:
    """A subquery of the ids of an organization's ancestors (not itself), nearest first."""
    return (
        f"WITH RECURSIVE up(id) AS (SELECT parent_id FROM {ORGANIZATIONS} WHERE id = %s "
        f"UNION SELECT o.parent_id FROM {ORGANIZATIONS} o JOIN up ON o.id = up.id) "
        "SELECT id FROM up WHERE id IS NOT NULL"
    )


def organization_descendants(*, organization_id: int, include_self: bool = False) -> QuerySet:
    queryset = Organization.objects.filter(
        pk__in=RawSQL(descendants_sql(), [organization_id])  # noqa: S611 - fixed SQL, a parameter
    )
    return queryset if include_self else queryset.exclude(pk=organization_id)


def organization_ancestor_ids(*, organization_id: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(ancestors_sql(), [organization_id])
        return [row[0] for row in cursor.fetchall()]


def organization_would_cycle(*, organization_id: int, parent_id: int | None) -> bool:
    """Whether making `parent_id` the parent would put the organization under itself."""
    if parent_id is None:
        return False
    return (
        organization_descendants(organization_id=organization_id, include_self=True)
        .filter(pk=parent_id)
        .exists()
    )


def available_in(*, organization_id: int, chosen, prefix: str = "") -> Q:
    """Badges or achievements (`prefix` points at them from another model) that this
    organization may use: its own, and its ancestors' made available to all their child
    organizations, or to it by choice (`chosen`: the rows of their `available_to` table for it,
    correlated with `OuterRef(prefix + "pk")`). The ancestors are a recursive subquery: no query
    of its own."""
    ancestors = RawSQL(ancestors_sql(), [organization_id])  # noqa: S611 - fixed SQL, a parameter
    return (
        Q(**{f"{prefix}organization_id": organization_id})
        | Q(
            **{
                f"{prefix}availability": Availability.CHILDREN,
                f"{prefix}organization_id__in": ancestors,
            }
        )
        | Q(
            Exists(chosen),
            **{
                f"{prefix}availability": Availability.CHOSEN,
                f"{prefix}organization_id__in": ancestors,
            },
        )
    )
