"""The access every issuing view shares: the request's `IssueContext`, built once."""

from django.core.exceptions import PermissionDenied
from django.utils.functional import cached_property

from badges.services.context import IssueContext


class IssueContextMixin:
    """Builds the request's IssueContext once (`issue_context`): the permission check, the
    students shown and the issuing service share it, so whether the user may issue here, and to
    whom, is decided once per request. Subclasses say where they issue from in
    `build_issue_context()`, which refuses with PermissionDenied."""

    def build_issue_context(self) -> IssueContext:
        raise NotImplementedError

    @cached_property
    def issue_context(self) -> IssueContext | None:
        """The context of every issuance of this request; None (a 403) when the user may not
        issue here."""
        try:
            return self.build_issue_context()
        except PermissionDenied:
            return None
