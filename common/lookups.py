"""Lookups on integer columns where a number no column can hold matches no row, instead of making
the database raise. Django does this for `exact`, `gt`, `lt` … on integer fields (since 5.0) but
not for `in` nor for foreign keys; SQLite cannot even bind such a number (OverflowError, a 500):
a forged id in a form that lists its chosen values again (the Django admin's autocomplete
widgets, any ModelMultipleChoiceField) reached the database that way. Registered by the portal's
AppConfig for every model."""

from django.core.exceptions import EmptyResultSet
from django.db.models import ForeignKey, IntegerField
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.lookups import In


def _outside(value, field, connection) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    field = getattr(field, "target_field", field)
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    return (low is not None and value < low) or (high is not None and value > high)


class _DropsValuesNoColumnHolds:
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            field = self.lhs.output_field
            self.rhs = [value for value in self.rhs if not _outside(value, field, connection)]
        return super().process_rhs(compiler, connection)


class IntegerFieldIn(_DropsValuesNoColumnHolds, In):
    pass


class ForeignKeyIn(_DropsValuesNoColumnHolds, RelatedIn):
    pass


class ForeignKeyExact(RelatedExact):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value() and _outside(self.rhs, self.lhs.output_field, connection):
            raise EmptyResultSet
        return super().process_rhs(compiler, connection)


def register_integer_lookups() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
    ForeignKey.register_lookup(ForeignKeyIn)
    ForeignKey.register_lookup(ForeignKeyExact)
