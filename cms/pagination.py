"""One page of a list, numbered by a query parameter, for every reader's list."""

from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _


def paginate(request: HttpRequest, items, per_page: int, param: str = "page") -> Page:
    """The page of `items` that `request.GET[param]` asks for (the first by default).

    A page that does not exist is a 404, as with ListView, so that no two addresses
    show the same list. `param` lets one page hold two lists (an event's reports and
    its sessions), each with its own page number.
    """
    paginator = Paginator(items, per_page)
    try:
        return paginator.page(request.GET.get(param) or 1)
    except InvalidPage:
        raise Http404(_("There is no such page.")) from None
