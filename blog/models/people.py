"""Authors as bylines show them."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cms.text_validators import no_invisible_characters


class AuthorProfile(models.Model):
    """How a staff member appears in bylines."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="author_profile",
        verbose_name=_("user"),
    )
    display_name = models.CharField(
        _("display name"), max_length=100, validators=[no_invisible_characters]
    )
    team = models.CharField(
        _("team"), max_length=200, blank=True, validators=[no_invisible_characters]
    )
    language = models.CharField(
        _("language of emails"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Left empty, emails are in the site's language."),
    )

    class Meta:
        verbose_name = _("author profile")
        verbose_name_plural = _("author profiles")

    def __str__(self) -> str:
        return self.display_name


def display_name_of(user) -> str:
    """The name a byline prints for `user`, from the profile when there is one."""
    profile = getattr(user, "author_profile", None)
    if profile is not None and profile.display_name:
        return profile.display_name
    return user.get_full_name() or user.get_username()


def display_names_of(people) -> str:
    """The names bylines print, joined the way the interface's language joins a list."""
    return _(", ").join(display_name_of(person) for person in people)


def language_of(user) -> str:
    """The language `user` reads email in: their profile's choice, else the site's."""
    profile = getattr(user, "author_profile", None)
    if profile is not None and profile.language:
        return profile.language
    return settings.LANGUAGE_CODE


def author_url(user) -> str:
    """The page listing what `user` wrote (it exists once they have a published section)."""
    return reverse("blog:author_detail", kwargs={"username": user.get_username()})
