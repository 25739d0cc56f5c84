"""Path converters shared by the apps' URLs."""

from django.urls import register_converter


class UnicodeSlugConverter:
    """`<uslug:slug>`: what `slugify(allow_unicode=True)` makes, Japanese included.

    The same characters as Django's `validate_unicode_slug` (`[-\\w]+`); Django's own
    `<slug:>` would answer 404 for every Japanese slug.
    """

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UnicodeSlugConverter, "uslug")
