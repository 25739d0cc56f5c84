"""What a browser would send back for a form on a page, read from the page's HTML.

Submitting a page's own values is what a person pressing "save" without touching
anything does; text areas come back with CRLF line ends, as browsers send them.
"""

from html.parser import HTMLParser

SKIPPED_INPUT_TYPES = {"submit", "button", "file", "image", "reset"}


class _FormReader(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.values: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._option: dict | None = None
        self._text: list[str] = []

    def _add(self, name: str, value: str) -> None:
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
            return
        if not self.inside or ("name" not in attributes and tag != "option"):
            return
        name = attributes.get("name")
        if tag == "input":
            kind = attributes.get("type", "text")
            if kind in SKIPPED_INPUT_TYPES or "disabled" in attributes:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attributes:
                    self._add(name, attributes.get("value", "on"))
                return
            self._add(name, attributes.get("value", ""))
        elif tag == "textarea":
            self._textarea, self._text = name, []
        elif tag == "select":
            self._select, self._multiple, self._first = name, "multiple" in attributes, None
            self.values.setdefault(name, [])
        elif tag == "option" and self._select:
            self._option = {"value": attributes.get("value"), "selected": "selected" in attributes}
            self._text = []

    def handle_data(self, data):
        if self._textarea is not None or self._option is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # The HTML parser keeps the newline after <textarea>, which browsers drop.
            text = text.removeprefix("\n")
            # HTML parsing turns CRLF and CR into LF; submitting sends every LF as CRLF.
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            self._add(self._textarea, text.replace("\n", "\r\n"))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            value = self._option["value"]
            value = "".join(self._text) if value is None else value
            if self._first is None:
                self._first = value
            if self._option["selected"]:
                self._add(self._select, value)
            self._option = None
        elif tag == "select" and self._select is not None:
            # A single menu with nothing marked sends its first choice.
            if not self.values[self._select] and not self._multiple and self._first is not None:
                self._add(self._select, self._first)
            self._select = None


def form_values(html: str, form_id: str) -> dict[str, list[str]]:
    """The values the form with `form_id` would submit, as the test client takes them."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader.values
