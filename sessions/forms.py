from django import forms
from django.utils.translation import gettext_lazy as _

from sessions.schedule_files import max_bytes, too_large_message


class SessionChoiceField(forms.ModelChoiceField):
    """A menu of sessions, each named with its event (Session.menu_label), as the search
    menu names them (cms.admin.AutocompleteView)."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset.select_related("event"), **kwargs)

    def label_from_instance(self, obj) -> str:
        return obj.menu_label


class ScheduleUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Schedule file"),
        # A hint for the file chooser only: the format is told from the content.
        widget=forms.ClearableFileInput(
            attrs={"accept": ".ics,.ical,.json,text/calendar,application/json"}
        ),
        help_text=_(
            "An iCalendar file (.ics, e.g. exported from Sched) or a pretalx/frab "
            "schedule.json. Nothing is saved before you confirm the plan."
        ),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise forms.ValidationError(too_large_message())
        return upload.read()


class ScheduleConfirmForm(forms.Form):
    """The plan the person saw: its upload (kept in their session) and its fingerprint."""

    token = forms.CharField(widget=forms.HiddenInput)
    digest = forms.CharField(widget=forms.HiddenInput)
