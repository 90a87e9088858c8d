"""Filters shared by the list pages."""

import django_filters

from .forms import IdModelChoiceField


class IdModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A model chosen by id in a search form: an id beyond the column's range is an invalid choice,
    not a database error."""

    field_class = IdModelChoiceField
