"""Django's own interface strings that its Japanese catalogue does not translate yet.

Listed here only so that `makemessages` keeps them in our catalogue, which Django reads
before its own (LOCALE_PATHS): without them a Japanese admin shows these in English.
"""

from django.utils.translation import gettext_noop

UNTRANSLATED_BY_DJANGO = [
    gettext_noop("- Select an option -"),  # the empty choice of every menu (Django 6)
    gettext_noop("Filter by %(field_name)s"),  # the date links above a list
    gettext_noop("Logout"),  # the trail of the page after logging out
]
