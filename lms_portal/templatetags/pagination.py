"""{% page_numbers page_obj as pages %}: the page numbers a pagination bar shows, with an ellipsis
(Paginator.ELLIPSIS) where some are left out: 1 … 4 5 [6] 7 8 … 20."""

from django import template

register = template.Library()


@register.simple_tag
def page_numbers(page_obj, on_each_side: int = 2, on_ends: int = 1):
    return list(
        page_obj.paginator.get_elided_page_range(
            page_obj.number, on_each_side=on_each_side, on_ends=on_ends
        )
    )
