"""What the site's admin pages share."""

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.utils import display_for_value
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.forms import FileField
from django.utils import translation
from django.utils.translation import gettext

from cms.slugs import record_slug_change, stored_slug


class NamesTheSavedObject:
    """A change page refused for bad input still names the object as it is saved.

    Django checks the form by writing its values into the object it then names in the
    title and the trail: a heading emptied by mistake showed as "-", as if the save had
    lost it. Only the form keeps what was typed; the name comes from the database.
    """

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        if change and obj is not None and form.is_bound and form.errors:
            saved = type(obj)._base_manager.filter(pk=obj.pk).first()
            if saved is not None:
                context["original"] = saved
                context["subtitle"] = display_for_value(str(saved), self.get_empty_value_display())
        return super().render_change_form(request, context, add, change, form_url, obj)


class TranslatedChangeMessages:
    """The history page names changed fields in the reader's language.

    Django stores each changed field's form label, capitalised ("Heading"), and translates
    it when the history is shown; catalogues translate the model field's name ("heading"),
    so the Japanese page read "Heading と Body を変更しました". The name is stored instead.
    """

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        for entry in message:
            changed = entry.get("changed")
            # The form's own fields; a row of an inline is named by its model ("name").
            if changed is not None and "name" not in changed:
                changed["fields"] = _field_names(form, form.changed_data)
        return message


def _field_names(form, changed: list[str]) -> list[str]:
    model_fields = {field.name: field for field in form._meta.model._meta.get_fields()}
    names = []
    with translation.override(None):  # stored untranslated, as Django stores it
        for name in changed:
            verbose_name = getattr(model_fields.get(name), "verbose_name", None)
            label = verbose_name or (name in form.fields and form.fields[name].label) or name
            names.append(str(label))
    return names


class OffersWhatTheFormTakes:
    """A search menu (autocomplete) offers only what the form it fills will take.

    Django's autocomplete asks the admin of the model searched (sessions) for its results,
    whatever form the menu is in; what that form accepts is the business of the form's own
    admin (a section covers only a session of its report's event), which says so in
    `autocomplete_choices(request, field_name, queryset)`. The form still checks the choice.
    """

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        form_admin = _admin_of_the_form_filled(self.admin_site, request)
        if form_admin is not None and hasattr(form_admin, "autocomplete_choices"):
            field_name = request.GET.get("field_name", "")
            queryset = form_admin.autocomplete_choices(request, field_name, queryset)
        return queryset, may_have_duplicates


class AutocompleteView(AutocompleteJsonView):
    """Django's search menu (autocomplete) view, which names each result as the admin of the
    model searched says in `autocomplete_label(obj)`, if it does: a form's menu shows its
    chosen value by the same name (sessions: their event beside their title). Served in
    place of Django's own at the same address (cms/urls.py)."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        return {**result, "text": label(obj)} if label else result


AUTOCOMPLETE_URL_NAME = "admin_autocomplete"


def _admin_of_the_form_filled(admin_site, request):
    """For a request of the autocomplete view: the admin of the model whose form asks."""
    match = request.resolver_match
    if match is None or match.url_name != AUTOCOMPLETE_URL_NAME:
        return None
    try:
        model = apps.get_model(request.GET.get("app_label", ""), request.GET.get("model_name", ""))
        return admin_site.get_model_admin(model)
    except (LookupError, ValueError, NotRegistered):
        return None


class AsksAgainForRefusedFiles:
    """A refused save is shown again with its file inputs empty: a browser never fills one
    in, so the files chosen were not kept, and Django says nothing of it. Each file field
    that was sent a file asks for it again, where the person looks for what went wrong."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if request.method == "POST" and request.FILES:
            forms = [context["adminform"].form] + [
                form
                for inline in context.get("inline_admin_formsets", [])
                for form in inline.formset.forms
            ]
            for form in forms:
                sent = [
                    name
                    for name, field in form.fields.items()
                    if isinstance(field, FileField)
                    and form.is_bound
                    and form.add_prefix(name) in request.FILES
                    and name not in form.errors
                ]
                for name in sent:
                    form.add_error(
                        name,
                        gettext(
                            "The save was refused, so the file you chose was not kept: "
                            "choose it again."
                        ),
                    )
        return super().render_change_form(request, context, add, change, form_url, obj)


def _is_key_of(target, value) -> bool:
    if value in (None, ""):
        return True
    try:
        target.get_prep_value(target.to_python(value))
    except (ValidationError, ValueError, TypeError):
        return False
    return True


class _KeysOnly:
    """Django's search menu looks up the values it is given to show them as chosen; a value
    that is no key at all (`event=abc`, sent by no browser) broke that lookup with a server
    error. It is shown as nothing chosen, and the field says the choice is not valid."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.name
        )
        keys = [each for each in value if _is_key_of(target, each)]
        return super().optgroups(name, keys, attr)


class KeysOnlyAutocompleteSelect(_KeysOnly, AutocompleteSelect):
    pass


class KeysOnlyAutocompleteSelectMultiple(_KeysOnly, AutocompleteSelectMultiple):
    pass


class SearchMenusOfKeysOnly:
    """Every search menu (autocomplete) of an admin page or inline is one of the above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeysOnlyAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeysOnlyAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ModelAdmin(
    SearchMenusOfKeysOnly,
    AsksAgainForRefusedFiles,
    OffersWhatTheFormTakes,
    NamesTheSavedObject,
    TranslatedChangeMessages,
    admin.ModelAdmin,
):
    """The base of every admin page of ours."""


class KeepsOldSlugsAdmin(ModelAdmin):
    """An editor may change a slug; the old address then redirects to the new one.

    Django's admin saves each change page in one transaction, so the object and its
    old slug are written together or not at all.
    """

    def save_model(self, request, obj, form, change):
        previous = stored_slug(obj) if change else None
        super().save_model(request, obj, form, change)
        record_slug_change(obj, previous)


class OnSiteOnceReadersSeeIt:
    """サイトで見る only for an object readers can see: an event, session, speaker or tag
    has a public page only through a published report, and a link to its address before
    that ends in a 404. Subclasses say which rows are public (`public_rows`)."""

    def public_rows(self):
        raise NotImplementedError

    def view_on_site(self, obj) -> str | None:
        if self.public_rows().filter(pk=obj.pk).exists():
            return obj.get_absolute_url()
        return None
