"""The blog as a whole, for link previews and search engines: its share picture and the
`WebSite` and `Blog` JSON-LD of the index."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

from blog.models import Report

# Drawn by `manage.py draw_site_images`, in the size link previews crop least.
SHARE_IMAGE = "icons/share.png"
SHARE_IMAGE_SIZE = {"width": 1200, "height": 630}


@dataclass(frozen=True)
class ShareImage:
    """A static picture with what includes/page_meta.html reads from a Photo."""

    src: str
    fallback: dict
    alt_text: str


def share_image() -> ShareImage:
    """The picture shown where the blog's home is shared: its mark and its name."""
    return ShareImage(static(SHARE_IMAGE), SHARE_IMAGE_SIZE, settings.SITE_NAME)


@dataclass
class BlogIndex:
    """The index page: the site and the reports it lists, for `{% structured_data %}`."""

    reports: Iterable[Report]

    def structured_data(self, absolute: Callable[[str], str]) -> dict:
        home = absolute(reverse("blog:index"))
        website = {
            "@type": "WebSite",
            "@id": f"{home}#website",
            "url": home,
            "name": settings.SITE_NAME,
            "description": _("Conference reports and engineering notes from our SRE team."),
            "inLanguage": settings.LANGUAGE_CODE,
            "potentialAction": {
                "@type": "SearchAction",
                "target": {
                    "@type": "EntryPoint",
                    "urlTemplate": absolute(reverse("blog:search")) + "?q={search_term_string}",
                },
                "query-input": "required name=search_term_string",
            },
        }
        blog = {
            "@type": "Blog",
            "@id": f"{home}#blog",
            "url": home,
            "name": settings.SITE_NAME,
            "inLanguage": settings.LANGUAGE_CODE,
            "isPartOf": {"@id": f"{home}#website"},
            "image": absolute(static(SHARE_IMAGE)),
            "publisher": {
                "@type": "Organization",
                "name": settings.SITE_NAME,
                "logo": {"@type": "ImageObject", "url": absolute(static("icons/icon-512.png"))},
            },
            "blogPost": [
                {
                    "@type": "BlogPosting",
                    "headline": report.title,
                    "url": absolute(report.get_absolute_url()),
                    "datePublished": report.published_at.isoformat(),
                }
                for report in self.reports
            ],
        }
        return {"@context": "https://schema.org", "@graph": [website, blog]}
