"""What a page asks of archivers: `noarchive` in a robots meta tag or an `X-Robots-Tag` header.

`<meta name="robots" content="noarchive">` (or `name="wparchive"`), and `X-Robots-Tag: noarchive`
(or `X-Robots-Tag: wparchive: noarchive`; a directive for another crawler by name does not apply).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_META = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
_NAME = re.compile(rb"""\bname\s*=\s*["']?\s*(robots|wparchive)\b""", re.IGNORECASE)
_CONTENT = re.compile(rb"""\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_HEAD_BYTES = 262_144  # the <head> of any page, with room for inline styles and scripts
AGENT = "wparchive"


def _directives(value: str) -> set[str]:
    return {part.strip().lower() for part in value.split(",") if part.strip()}


def header_says_noarchive(values: Iterable[str]) -> bool:
    """Whether X-Robots-Tag header values forbid archiving, for every crawler or for this one."""
    for value in values:
        agent, sep, rest = value.partition(":")
        if sep and agent.strip() and " " not in agent.strip() and agent.strip().lower() not in _KNOWN_DIRECTIVES:
            if agent.strip().lower() not in (AGENT, "*"):
                continue  # "otherbot: noarchive"
            value = rest
        if "noarchive" in _directives(value):
            return True
    return False


_KNOWN_DIRECTIVES = {"unavailable_after", "max-snippet", "max-image-preview", "max-video-preview"}


def html_says_noarchive(body: bytes) -> bool:
    """Whether the page's robots meta tag (or one for wparchive) forbids archiving."""
    head = body[:_HEAD_BYTES]
    if b"noarchive" not in head.lower():
        return False
    for tag in _META.finditer(head):
        text = tag.group(0)
        if not _NAME.search(text):
            continue
        content = _CONTENT.search(text)
        if content:
            value = next(group for group in content.groups() if group is not None)
            if "noarchive" in _directives(value.decode("latin-1")):
                return True
    return False


def asks_not_to_archive(x_robots_tags: Iterable[str], body: bytes, content_type: str | None) -> bool:
    """A response that asks not to be archived (its header, or an HTML page's robots meta tag)."""
    if header_says_noarchive(x_robots_tags):
        return True
    return "html" in (content_type or "").lower() and html_says_noarchive(body)
