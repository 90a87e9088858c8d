"""View plumbing shared by every app: permissions, htmx partials and dialogs, pagination, query
strings. Nothing here knows a model."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import QueryDict
from django.utils.cache import patch_vary_headers

CLOSE_DIALOG_EVENT = "portal:close-dialog"


class PortalPermissionMixin(PermissionRequiredMixin):
    """Permission check for a logged-in user: a missing permission is a 403, never a login loop.

    Object rules are not here: views narrow their queryset with a selector, so an object outside
    it is a 404.
    """

    raise_exception = True


def filter_query_string(request, filterset, *, extra: tuple[str, ...] = (), without=()) -> str:
    """The query string a list page's links (pages, sort, export) carry: each parameter of the
    filter form (and `extra`) once, with the value the form reads, except those it refused and
    those `without`. Parameters the page does not know are dropped, so a link is never longer
    than a valid search, whatever the request carried (repeated or unknown parameters, a
    600 KB search)."""
    refused = set(filterset.form.errors) if filterset.is_bound else set()
    query = QueryDict(mutable=True)
    for name in [*filterset.form.fields, *extra]:
        value = request.GET.get(name)
        if value and name not in refused and name not in without:
            query[name] = value
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
    """A dialog is two templates of its own: its body (`body_template_name`: the forms, rendered
    the same in both frames) and its list (`list_template_name`: what the search box narrows).
    Two shared frames hold the body: the shared <dialog> for htmx, a full page without
    JavaScript. `dialog_id` names the list ("<id>-list") and the dialog ("<id>-dialog")."""

    dialog_title: str
    dialog_id: str
    body_template_name: str
    list_template_name: str
    page_columns = "col-lg-7 col-xl-5"

    @property
    def list_id(self) -> str:
        return f"{self.dialog_id}-list"

    def get_template_names(self):
        if not self.request.htmx:
            return ["dialog_page.html"]
        if self.request.htmx.target == self.list_id:
            return [self.list_template_name]
        return ["includes/dialog_frame.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            list_id=self.list_id,
            dialog_id=self.dialog_id,
            dialog_title=self.dialog_title,
            dialog_body_template=self.body_template_name,
            page_columns=self.page_columns,
        )
        return context
