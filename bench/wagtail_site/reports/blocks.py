"""The blocks of a report page's StreamFields: sections, parts of sections, figures."""

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class FigureBlock(blocks.StructBlock):
    """A photo with its caption and credit; its alternative text is the image's description."""

    image = ImageChooserBlock()
    caption = blocks.CharBlock(required=False)
    credit_text = blocks.CharBlock(required=False)
    credit_url = blocks.URLBlock(required=False)

    class Meta:
        template = "reports/blocks/figure.html"
        icon = "image"


class SpeakerBlock(blocks.StructBlock):
    name = blocks.CharBlock()
    affiliation = blocks.CharBlock(required=False)


class SectionBlock(blocks.StructBlock):
    """One author's section: its title, the session's speakers, the byline, text, figures."""

    anchor = blocks.CharBlock(help_text="The section's id in the page, for the contents.")
    title = blocks.CharBlock()
    speakers = blocks.ListBlock(SpeakerBlock(), default=[])
    track = blocks.CharBlock(required=False)
    author_name = blocks.CharBlock()
    author_team = blocks.CharBlock(required=False)
    body = blocks.RichTextBlock()
    figures = blocks.ListBlock(FigureBlock(), default=[])

    class Meta:
        template = "reports/blocks/section.html"
        icon = "doc-full"


class SessionPartBlock(blocks.StructBlock):
    """A run of sections about sessions, under one heading of their own."""

    title = blocks.CharBlock()
    sections = blocks.ListBlock(SectionBlock())

    class Meta:
        template = "reports/blocks/session_part.html"
        icon = "list-ul"
