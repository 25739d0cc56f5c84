"""Signed preview links for reviewers without an account.

The token is the link's id signed with the site's secret, so it cannot be
guessed or altered; expiry and revocation live in the ShareLink row, so an
editor can end a link early and the check does not depend on clocks in tokens.
"""

from django.core import signing
from django.urls import reverse

from blog.models import ShareLink

SALT = "blog.share-link"


def token_for(link: ShareLink) -> str:
    return signing.dumps({"link": link.pk}, salt=SALT)


def share_url(request, link: ShareLink) -> str:
    return request.build_absolute_uri(reverse("blog:shared_preview", args=[token_for(link)]))


def link_for(token: str) -> ShareLink | None:
    """The link behind `token`, usable or not (`is_usable` tells), or None if the token is
    forged or its link is gone."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("link"), int):
        return None
    return ShareLink.objects.select_related("report").filter(pk=data["link"]).first()
