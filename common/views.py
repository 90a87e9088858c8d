"""View plumbing shared by every app: permissions, htmx partials and dialogs, pagination, query
strings. Nothing here knows a model."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.utils.cache import patch_vary_headers

CLOSE_DIALOG_EVENT = "portal:close-dialog"


class PortalPermissionMixin(PermissionRequiredMixin):
    """Permission check for a logged-in user: a missing permission is a 403, never a login loop.

    Object rules are not here: views narrow their queryset with a selector, so an object outside
    it is a 404.
    """

    raise_exception = True


def query_string_without(request, *names: str) -> str:
    """The request's query string without the named parameters (to build page and sort links)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


class HtmxPartialMixin:
    """An htmx request gets only the part of the page it swaps in."""

    partial_template_name = ""

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return [self.partial_template_name]
        return super().get_template_names()

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        patch_vary_headers(response, ["HX-Request"])
        return response


class ForgivingPaginationMixin:
    """A page number that is not a number or past the end shows the first or last page."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


class DialogTemplateMixin:
    """A dialog's templates: the full page without JavaScript, the body of the shared <dialog>
    for htmx, and only the list when the dialog's search box asks."""

    dialog_template_name: str
    list_template_name: str
    list_id: str

    def get_template_names(self):
        if self.request.htmx:
            if self.request.htmx.target == self.list_id:
                return [self.list_template_name]
            return [self.dialog_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["list_id"] = self.list_id
        return context
