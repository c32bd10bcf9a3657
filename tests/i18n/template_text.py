"""What the translation tests look for in a Django template: human text that no translation tag covers, and
the messages its translation tags ask the catalog for.

Text is found the way a reader meets it. The template is lexed with Django's own lexer; every template tag
and variable is masked out (as are `{% blocktranslate %}` and `{% comment %}` blocks whole), and what is left
is read as HTML: the text between tags, and the attributes a person reads or hears (`title`, `alt`,
`placeholder`, `aria-label`, a button's `value`...). Any word left there is English no translation tag
covers. A template tag argument that prints a literal (`|default:"None yet"`, `{% firstof a "no one" %}`)
counts too, since its words reach the page just the same: the literal takes its tag's place, so it is judged
where it lands (the text of a paragraph, yes; a `class` attribute, no)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from django.template import Context
from django.template.base import DebugLexer, Template, TokenType, Variable
from django.templatetags.i18n import BlockTranslateNode, TranslateNode

# Attributes whose value a person reads (tooltips, placeholders, alternative text) or hears (screen readers).
HUMAN_ATTRIBUTES = frozenset(
    {
        "alt",
        "title",
        "placeholder",
        "label",
        "aria-label",
        "aria-description",
        "aria-placeholder",
        "aria-roledescription",
        "aria-valuetext",
    }
)
# An <input> of these types shows its `value` as the button's text.
BUTTON_INPUT_TYPES = frozenset({"submit", "button", "reset"})
# Names that read the same in every language and need no translation tag.
PROPER_NOUNS = frozenset({"Waypoint"})
# Blocks whose text is not the template's own English: translated whole, or never shown.
COVERED_BLOCKS = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "comment": "endcomment",
}
# Text inside these elements is code (a script, a style sheet, a command to copy), not prose.
NOT_PROSE = frozenset({"script", "style", "code", "pre", "kbd", "samp"})
# Spaces: a masked tag between attributes must still read as white space to the HTML parser.
MASK = " "
WORD = re.compile(r"[^\W\d_]+")
LITERAL_FILTER = re.compile(r"\|\s*(?:default|default_if_none|yesno)\s*:\s*(?:\"([^\"]*)\"|'([^']*)')")
LITERAL_ARGUMENT = re.compile(r"\"([^\"]*)\"|'([^']*)'")
# A literal naming Django format settings (`yesno:"DATE_FORMAT,DATETIME_FORMAT"` choosing a date's shape)
# feeds another filter, never the page: it is not English.
FORMAT_NAMES = re.compile(r"[A-Z][A-Z_]*_FORMAT(?:,[A-Z][A-Z_]*_FORMAT)*")


@dataclass(frozen=True)
class Untranslated:
    """English a reader would meet in the page, with where it is."""

    template: str
    line: int
    where: str
    text: str

    def __str__(self) -> str:
        return f"{self.template}:{self.line}: {self.where}: {self.text!r}"


def has_words(text: str) -> bool:
    return any(word not in PROPER_NOUNS for word in WORD.findall(text))


def shown(text: str) -> str:
    """The text as a failure message quotes it: runs of white space collapsed, not too long."""
    words = " ".join(text.split())
    return words if len(words) <= 100 else words[:97] + "..."


def masked_source(source: str) -> str:
    """The template with every tag and variable replaced by mask characters of the same length (new lines
    kept, so positions and line numbers stay those of the file); a tag that prints a literal string is
    replaced by that string instead."""
    chars = list(source)
    closing: str | None = None
    covered_from = 0
    for token in DebugLexer(source).tokenize():
        assert token.position is not None  # the debug lexer always records it
        start, end = token.position
        if closing is not None:
            if token.token_type == TokenType.BLOCK and token.contents.split()[:1] == [closing]:
                _mask(chars, covered_from, end)
                closing = None
            continue
        if token.token_type == TokenType.TEXT:
            continue
        words = token.contents.split()
        if token.token_type == TokenType.BLOCK and words and words[0] in COVERED_BLOCKS:
            closing, covered_from = COVERED_BLOCKS[words[0]], start
            continue
        pattern = LITERAL_ARGUMENT if words[:1] == ["firstof"] else LITERAL_FILTER
        literals = [a or b for a, b in pattern.findall(token.contents) if not FORMAT_NAMES.fullmatch(a or b)]
        _mask(chars, start, end, " ".join(literals))
    return "".join(chars)


def _mask(chars: list[str], start: int, end: int, shown: str = "") -> None:
    """Mask `chars[start:end]`, keeping its new lines; `shown` (shorter than the tag it comes from) goes
    first."""
    replacement = iter(shown)
    for index in range(start, end):
        if chars[index] != "\n":
            chars[index] = next(replacement, MASK)


class _TextFinder(HTMLParser):
    def __init__(self, template: str) -> None:
        super().__init__(convert_charrefs=True)
        self.template = template
        self.found: list[Untranslated] = []
        self.inside_code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in NOT_PROSE:
            self.inside_code += 1
        named = {name: value or "" for name, value in attrs}
        line = self.getpos()[0]
        for name, value in named.items():
            human = name in HUMAN_ATTRIBUTES or (
                name == "value" and tag == "input" and named.get("type", "").lower() in BUTTON_INPUT_TYPES
            )
            if human and has_words(value):
                self.found.append(Untranslated(self.template, line, f'attribute "{name}"', shown(value)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in NOT_PROSE:
            self.inside_code -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in NOT_PROSE and self.inside_code:
            self.inside_code -= 1

    def handle_data(self, data: str) -> None:
        if self.inside_code or not has_words(data):
            return
        first_word = WORD.search(data)
        offset = data[: first_word.start()].count("\n") if first_word else 0
        self.found.append(Untranslated(self.template, self.getpos()[0] + offset, "text", shown(data)))


def untranslated_text(source: str, template: str) -> list[Untranslated]:
    """Every piece of English in `source` that a reader would meet untranslated, in file order."""
    finder = _TextFinder(template)
    finder.feed(masked_source(source))
    finder.close()
    return finder.found


@dataclass(frozen=True)
class Message:
    """One message a template's translation tags look up, keyed the way a compiled catalog stores it."""

    msgid: str
    plural: str = ""
    context: str = ""

    @property
    def catalog_key(self) -> str | tuple[str, int]:
        msgid = f"{self.context}\x04{self.msgid}" if self.context else self.msgid
        return (msgid, 0) if self.plural else msgid


def messages_of(template: Template) -> Iterator[Message]:
    """The messages the template's own `{% translate %}` and `{% blocktranslate %}` tags look up (not those
    of the templates it extends or includes: they are checked as templates of their own). A `translate`
    of a variable looks up text the template does not hold, and is left out."""
    for node in template.nodelist.get_nodes_by_type(TranslateNode):
        assert isinstance(node, TranslateNode)
        variable = node.filter_expression.var
        if isinstance(variable, Variable) and isinstance(variable.literal, str):
            yield Message(variable.literal, context=_context(node))
    for node in template.nodelist.get_nodes_by_type(BlockTranslateNode):
        assert isinstance(node, BlockTranslateNode)
        singular, _ = node.render_token_list(node.singular)
        plural = node.render_token_list(node.plural)[0] if node.plural and node.countervar else ""
        yield Message(singular, plural=plural, context=_context(node))


def _context(node: TranslateNode | BlockTranslateNode) -> str:
    return str(node.message_context.resolve(Context())) if node.message_context else ""
