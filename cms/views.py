"""What every public page found by slug shares."""

from django.db import models
from django.http import Http404, HttpResponsePermanentRedirect

from cms.models import OldSlug


class OldSlugRedirectMixin:
    """For a DetailView found by slug: an old slug answers 301 to the object's address now.

    Consulted only when no live object has the slug, and only among the objects the
    view shows (`get_queryset()`), so an unpublished object's new address never leaks.
    """

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            moved = self.moved_object()
            if moved is None:
                raise
            return HttpResponsePermanentRedirect(moved.get_absolute_url())

    def moved_object(self) -> models.Model | None:
        return OldSlug.objects.moved(self.get_queryset(), self.kwargs[self.slug_url_kwarg])
