"""Interface strings of Django and of the packages we use that their Japanese catalogues
do not translate (django-axes has none).

Listed here only so that `makemessages` keeps them in our catalogue, which Django reads
before theirs (LOCALE_PATHS): without them a Japanese admin shows these in English.
"""

from django.utils.translation import gettext_noop

UNTRANSLATED_BY_DJANGO = [
    gettext_noop("- Select an option -"),  # the empty choice of every menu (Django 6)
    gettext_noop("Filter by %(field_name)s"),  # the date links above a list
    gettext_noop("Logout"),  # the trail of the page after logging out
]

# django-axes' models, listed on the admin home for an administrator to unlock accounts.
UNTRANSLATED_BY_AXES = [
    gettext_noop("access attempts"),
    gettext_noop("access attempt"),
    gettext_noop("access failures"),
    gettext_noop("access failure"),
    gettext_noop("access logs"),
    gettext_noop("access log"),
]
