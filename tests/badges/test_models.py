"""How an issuance is worded: once, beside the choices, for every page that shows it."""

import pytest

from badges.models import BadgeIssuance


@pytest.mark.parametrize("source", BadgeIssuance.Source.values)
def test_every_source_says_how_the_badge_was_issued(source):
    assert BadgeIssuance(source=source).how_issued


def test_only_the_automatic_method_is_automatic():
    assert BadgeIssuance(method=BadgeIssuance.Method.AUTOMATIC).is_automatic
    assert not BadgeIssuance(method=BadgeIssuance.Method.MANUAL).is_automatic
