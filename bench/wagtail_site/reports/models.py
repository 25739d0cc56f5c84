from django.db import models
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from reports.blocks import FigureBlock, SectionBlock, SessionPartBlock


class ReportPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "reports.ReportPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ReportPage(Page):
    """A combined conference report: lead, event, sections by several authors, closing and
    gallery, as one page of the tree."""

    lead = RichTextField(blank=True)
    closing = RichTextField(blank=True)
    reading_minutes = models.PositiveIntegerField(default=0)
    share_image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    tags = ClusterTaggableManager(through=ReportPageTag, blank=True)

    event_name = models.CharField(max_length=200, blank=True)
    event_starts_on = models.DateField(null=True, blank=True)
    event_ends_on = models.DateField(null=True, blank=True)
    event_city = models.CharField(max_length=120, blank=True)
    event_venue = models.CharField(max_length=200, blank=True)
    event_format = models.CharField(max_length=100, blank=True)
    event_website = models.URLField(blank=True)

    sections = StreamField(
        [("section", SectionBlock()), ("session_part", SessionPartBlock())], blank=True
    )
    gallery = StreamField([("figure", FigureBlock())], blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("lead"),
        MultiFieldPanel(
            [
                FieldPanel("event_name"),
                FieldPanel("event_starts_on"),
                FieldPanel("event_ends_on"),
                FieldPanel("event_city"),
                FieldPanel("event_venue"),
                FieldPanel("event_format"),
                FieldPanel("event_website"),
            ],
            heading="Event",
        ),
        FieldPanel("sections"),
        FieldPanel("closing"),
        FieldPanel("gallery"),
        FieldPanel("share_image"),
        FieldPanel("tags"),
    ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The head and the header both list the tags: one query for the two.
        context["tags"] = list(self.tags.all())
        return context

    @property
    def event_is_single_day(self) -> bool:
        return self.event_starts_on == self.event_ends_on
