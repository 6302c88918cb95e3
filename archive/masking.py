"""Masking people in text and HTML: their names, first names, @mentions, greetings, e-mail
addresses, their links and avatars.

Used by the pseudonymised export (a name becomes the person's pseudonym) and by a takedown (a
forgotten person's name in other people's comments becomes "[forgotten]"). What it cannot catch:
nicknames, misspellings, initials, a name split by markup, and a name in a language's inflected
form ("Annas Beitrag"). See docs/people.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MENTION = re.compile(r"(?<![\w.@/])@([\w][\w.-]{1,40}\w|\w{2})")
AVATAR = re.compile(
    r"(?:https?:)?//(?:[\w-]+\.)?(?:gravatar\.com|wp\.com|wordpress\.com)/avatar/[0-9a-fA-F]{32,64}[^\s\"'<>)]*"
    r"|(?:https?:)?//[^\s\"'<>]*/avatar/[0-9a-fA-F]{32,64}[^\s\"'<>)]*"
)
# "Hi Tom," "Dear Ms Chen:" "Thanks Anna!": a name after a greeting, before punctuation.
GREETING = re.compile(
    r"(?P<greeting>\b(?:hi|hello|hey|dear|thanks|thank you|thx|cheers|good morning|good afternoon|"
    r"hola|hallo|liebe|lieber|bonjour|salut|ciao|cara|caro|querida|querido|hej|hoi)\b,?\s+)"
    r"(?P<name>[^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){0,2})(?=\s*(?:[,!:;]|\.\s|\.$|\n|$))",
    re.IGNORECASE,
)
# Words that follow a greeting without being a name.
_NOT_NAMES = frozenset(
    [
        "all",
        "everyone",
        "everybody",
        "guys",
        "folks",
        "class",
        "team",
        "there",
        "you",
        "again",
        "so",
        "much",
        "for",
        "very",
        "and",
        "i",
        "we",
        "a",
        "the",
        "prof",
        "professor",
        "dr",
        "mr",
        "mrs",
        "ms",
        "miss",
        "sir",
        "madam",
    ]
)
_TITLES = re.compile(r"^(?:prof\.?|professor|dr\.?|mr\.?|mrs\.?|ms\.?|miss|sir)\s+", re.IGNORECASE)


def slugified(value: str) -> str:
    """A name as WordPress makes a slug of it: ASCII, lower case, words joined by hyphens."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


@dataclass
class Person:
    """What masking knows of one person: the names they appear under, slug, URLs, and the text
    that replaces them."""

    names: set[str]
    slug: str | None
    urls: set[str]
    replacement: str


class Masker:
    """Masks a site's people in text: built once per site, applied to every text column."""

    def __init__(
        self,
        people: Iterable[Person],
        unknown_name: str = "[name]",
        words_taken: Iterable[str] = (),
        greetings: bool = True,
    ) -> None:
        """`greetings`: mask any name after a greeting ("Hi Tom,"), known or not."""
        self.greetings = greetings
        people = list(people)
        self.unknown_name = unknown_name
        exact: dict[str, str] = {}  # case-insensitive full names and names as slugs
        tokens: dict[str, str] = {}  # case-sensitive single words: first names, surnames
        token_owners: Counter[str] = Counter()
        for person in people:
            words: set[str] = set()
            for name in person.names:
                name = " ".join(name.split())
                if not name:
                    continue
                for variant in {name, _TITLES.sub("", name)}:
                    exact.setdefault(variant.casefold(), person.replacement)
                    if " " in variant and len(slugified(variant)) >= 5:
                        exact.setdefault(slugified(variant), person.replacement)
                    words.update(w.strip(".,()") for w in variant.split() if " " in variant)
            for word in words:
                if len(word) >= 3 and word[0].isupper() and word.casefold() not in _NOT_NAMES:
                    token_owners[word] += 1
                    tokens[word] = person.replacement
        # A first name or a surname two people share says nobody in particular: left to full names.
        taken = set(words_taken)
        tokens = {
            word: replacement for word, replacement in tokens.items() if token_owners[word] == 1 and word not in taken
        }
        for word in list(tokens):
            if word.casefold() in exact:
                del tokens[word]
        self.replacements = {**exact}
        self.tokens = tokens
        self.exact_pattern = _alternation(exact, re.IGNORECASE)
        self.token_pattern = _alternation(tokens, 0)
        targets = {url_target(url) for person in people for url in person.urls} - {None}
        self.url_patterns = [
            re.compile(
                r"(?:https?:)?//(?:www\.)?" + re.escape(target) + r"(?:[/?#][^\s\"'<>]*)?(?![\w.-])", re.IGNORECASE
            )
            for target in sorted(targets, key=len, reverse=True)
        ]
        self.handles = {person.slug.casefold(): person.replacement for person in people if person.slug}
        # A user slug may be a word ("instructor"): masked where WordPress prints it as a slug, in
        # author archive links (`/author/<slug>`, `?author_name=`) and `comment-author-<slug>`.
        self.slug_pattern = (
            re.compile(
                r"(?P<lead>/author/|[?&]author_name=|comment-author-)(?P<slug>"
                + "|".join(re.escape(slug) for slug in sorted(self.handles, key=len, reverse=True))
                + r")(?![\w-])",
                re.IGNORECASE,
            )
            if self.handles
            else None
        )

    def text(self, value: str | None) -> str | None:
        """The value with every person masked (works on HTML as well: tags are left alone)."""
        if not value:
            return value
        for pattern in self.url_patterns:
            value = pattern.sub("#removed", value)
        value = AVATAR.sub("", value)
        value = EMAIL.sub("[email]", value)
        value = MENTION.sub(self._mention, value)
        if self.slug_pattern is not None:
            value = self.slug_pattern.sub(
                lambda m: m.group("lead") + slugified(self.handles[m.group("slug").casefold()]), value
            )
        if self.exact_pattern is not None:
            value = self.exact_pattern.sub(lambda m: self.replacements[m.group(0).casefold()], value)
        if self.token_pattern is not None:
            value = self.token_pattern.sub(lambda m: self.tokens[m.group(0)], value)
        return GREETING.sub(self._greeting, value) if self.greetings else value

    def _mention(self, match: re.Match[str]) -> str:
        handle = match.group(1).casefold()
        return "@" + self.handles.get(handle, self.replacements.get(handle, self.unknown_name))

    def _greeting(self, match: re.Match[str]) -> str:
        name = match.group("name")
        first = name.split()[0]
        if not first[0].isupper() or first.casefold().strip(".") in _NOT_NAMES or name.startswith(self.unknown_name):
            return match.group(0)
        if any(name.startswith(known) for known in self._replacement_texts()):
            return match.group(0)  # already masked
        return match.group("greeting") + self.unknown_name

    def _replacement_texts(self) -> set[str]:
        if not hasattr(self, "_texts"):
            self._texts = set(self.replacements.values()) | set(self.tokens.values())
        return self._texts


def _alternation(words: Mapping[str, str], flags: int) -> re.Pattern[str] | None:
    if not words:
        return None
    ordered = sorted(words, key=len, reverse=True)
    return re.compile(r"(?<![\w@])(?:" + "|".join(re.escape(word) for word in ordered) + r")(?!\w)", flags)


def url_target(url: str) -> str | None:
    """A person's URL as host and path, without scheme and final slash (a site's root: its host)."""
    parts = urlsplit(url.strip())
    if not parts.hostname:
        return None
    host = parts.hostname.removeprefix("www.")
    path = parts.path.rstrip("/")
    return host + path
