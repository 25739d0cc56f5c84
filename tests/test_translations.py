"""The Japanese catalogue is complete and its compiled file matches it."""

import gettext
import re
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "ja" / "LC_MESSAGES"
_ENTRY = re.compile(
    r'^(?:msgctxt ((?:"(?:[^"\\]|\\.)*"\n)+))?'
    r'msgid ((?:"(?:[^"\\]|\\.)*"\n)+)(?:msgid_plural (?:"(?:[^"\\]|\\.)*"\n)+)?'
    r'msgstr(?:\[0\])? ((?:"(?:[^"\\]|\\.)*"\n)+)',
    re.M,
)


def _unquote(block: str) -> str:
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', block)
    return "".join(parts).encode().decode("unicode_escape").encode("latin-1").decode()


def entries() -> dict[tuple[str | None, str], str]:
    """(context, msgid) → msgstr; the context is None for messages without one."""
    text = (CATALOGUE / "django.po").read_text()
    found = {
        (_unquote(m.group(1)) if m.group(1) else None, _unquote(m.group(2))): _unquote(m.group(3))
        for m in _ENTRY.finditer(text)
    }
    found.pop((None, ""), None)  # the header
    return found


def test_every_message_is_translated():
    untranslated = [msgid for msgid, msgstr in entries().items() if not msgstr]

    assert untranslated == []


def test_no_translation_is_marked_fuzzy():
    assert "#, fuzzy" not in (CATALOGUE / "django.po").read_text()


def test_compiled_catalogue_matches_the_source():
    with (CATALOGUE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    def compiled_text(context, msgid):
        return compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)

    stale = [key for key, msgstr in entries().items() if compiled_text(*key) != msgstr]

    assert stale == []
