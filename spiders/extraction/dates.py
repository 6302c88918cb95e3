"""Dates to ISO 8601, keeping exactly the precision the page gives.

- machine dates (`time[datetime]`, `abbr[title]`, JSON-LD, REST) become `YYYY-MM-DDTHH:MM:SS+HH:MM`
  (the offset kept when given, `Z` as `+00:00`);
- text dates without a time become `YYYY-MM-DD`, with a time but no zone `YYYY-MM-DDTHH:MM:SS`;
- what cannot be read is None, never a guess.

English text ("April 8, 2013 at 9:02 am") is read by a fast path, and so are month names of the
common European languages either side of the day ("7. April 2013", "julio 14, 2008"), numeric dates
("11.05.2012", "2009/03/05", "14/04/2020") and CJK dates ("2009年3月5日"); other languages go to
dateparser, limited to the page's language when it is known.

Numeric dates follow their conventions: a year first is year-month-day; dots put the day first
(German, Polish, Norwegian, ...). With slashes or dashes the order is the page's: a day over 12
settles it, else the page's language ("en-US" month first; "en-GB" and most other languages day
first); where neither tells, the date is None.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

# Month names of the languages course blogs are most often written in (fast path; dateparser
# reads the others).
_FOREIGN_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("januar", "jänner", "janvier", "enero", "janeiro", "gennaio", "januari", "janv"),
            ("februar", "février", "fevrier", "febrero", "fevereiro", "febbraio", "februari", "févr", "fev"),
            ("märz", "maerz", "mars", "marzo", "março", "marco", "maart"),
            ("april", "avril", "abril", "aprile"),
            ("mai", "mayo", "maio", "maggio", "mei"),
            ("juni", "juin", "junio", "junho", "giugno"),
            ("juli", "juillet", "julio", "julho", "luglio", "juil"),
            ("august", "août", "aout", "agosto", "augustus"),
            ("september", "septembre", "septiembre", "setiembre", "setembro", "settembre", "sept"),
            ("oktober", "octobre", "octubre", "outubro", "ottobre"),
            ("november", "novembre", "noviembre", "novembro"),
            ("dezember", "décembre", "decembre", "diciembre", "dezembro", "dicembre", "december", "déc"),
        ],
        start=1,
    )
    for name in names
}
_DAY_MONTH_YEAR = re.compile(
    r"\b(\d{1,2})\.?\s*(?:de\s+)?([^\W\d_]{3,15})\.?,?\s*(?:de\s+)?(\d{4})"
    r"(?:\s*(?:,|um|à|às|a las|a la|alle|om|kl\.|-)?\s*(\d{1,2})\s*[:h.]\s*(\d{2})(?:\s*(?:Uhr|h))?)?",
    re.IGNORECASE,
)
_ISO = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)
_TIME = r"(?:\s*(?:,|at|on|@|-|–|\||um|à|às|a las|alle|om|kl\.)?\s*(\d{1,2})[:.](\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?)?"
_EN_MDY = re.compile(r"\b([A-Za-z]{3,9})(?:\.\s*|\s+)(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})" + _TIME, re.IGNORECASE)
_EN_DMY = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th|\.)?\s+(?:of\s+)?([A-Za-z]{3,9})\.?,?\s+(\d{4})" + _TIME,
    re.IGNORECASE,
)
_ISO_IN_TEXT = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?(?:Z|[+-]\d{2}:?\d{2})?\b")
# "11:52 am, April 9, 2013": the time first.
_EN_TIME_FIRST = re.compile(
    r"\b(\d{1,2})[:.](\d{2})\s*([ap]\.?m\.?)?\s*(?:,|on)?\s+([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})",
    re.IGNORECASE,
)
_HAS_TIME = re.compile(r"\d{1,2}\s*[:h.]\s*\d{2}(?!\d)")
# A date written in words in another language: "7. April 2013 um 9:02 Uhr", "7 de abril de 2013".
_FOREIGN = re.compile(
    r"\d{1,2}\.?\s*(?:de\s+)?[^\W\d_]{3,12}\.?\s*(?:de\s+)?\d{4}"
    r"(?:\s*(?:,|um|à|às|a las|a la|alle|om|kl\.|at|-)?\s*\d{1,2}\s*[:h.]\s*\d{2}"
    r"(?:\s*(?:Uhr|h|[ap]\.?m\.?))?)?",
    re.IGNORECASE,
)


def normalise_machine_date(value: str | None) -> str | None:
    """An ISO-like machine date as `YYYY-MM-DDTHH:MM:SS[+HH:MM]`, or a bare date as `YYYY-MM-DD`."""
    if not value:
        return None
    m = _ISO.match(value)
    if not m:
        return parse_text_date(value)
    year, month, day, hour, minute, second, zone = m.groups()
    try:
        datetime(int(year), int(month), int(day))
    except ValueError:
        return None
    if hour is None:
        return f"{year}-{month}-{day}"
    out = f"{year}-{month}-{day}T{hour}:{minute}:{second or '00'}"
    if zone:
        if zone == "Z":
            zone = "+00:00"
        elif ":" not in zone:
            zone = f"{zone[:3]}:{zone[3:]}"
        out += zone
    return out


def with_offset(local: str | None, gmt: str | None) -> str | None:
    """Combine WordPress's local `date` and `date_gmt` into one time with its UTC offset."""
    local_iso = normalise_machine_date(local)
    gmt_iso = normalise_machine_date(gmt)
    if not local_iso or not gmt_iso or len(local_iso) != 19 or len(gmt_iso) != 19:
        return local_iso
    delta = datetime.fromisoformat(local_iso) - datetime.fromisoformat(gmt_iso)
    minutes = round(delta / timedelta(minutes=1))
    if abs(minutes) > 14 * 60:
        return local_iso
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{local_iso}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def parse_text_date(
    text: str | None, language: str | None = None, day_first: bool | None = None, dotted_day_first: bool = True
) -> str | None:
    """A date in running text ("Posted on April 7, 2013", "7. April 2013 um 9:02 Uhr", "14/04/2020").

    `day_first` says how the page orders an ambiguous numeric date ("05/04/2020"); when None, the
    page's language (a full tag such as "en-GB") decides, if it can."""
    if not text:
        return None
    text = " ".join(text.split())
    if len(text) > 400:
        text = text[:400]
    if day_first is None:
        day_first = language_day_first(language)
    return _parse_text_date(text, (language or "").lower()[:2] or None, day_first, dotted_day_first)


# English-speaking regions that write the month first (elsewhere English puts the day first).
_MONTH_FIRST_REGIONS = ("us", "ph", "fm", "mh", "pw")


def language_day_first(language: str | None) -> bool | None:
    """Whether a page in this language writes the day before the month in numeric dates: False
    for US English, True for other English regions and other languages, None for plain "en"."""
    if not language:
        return None
    parts = language.lower().replace("_", "-").split("-")
    if parts[0] in ("zh", "ja", "ko", "hu", "lt"):
        return None  # languages that write the year first: no hint for the other two
    if parts[0] != "en":
        return True
    if len(parts) < 2:
        return None
    return parts[1] not in _MONTH_FIRST_REGIONS


# A numeric date: "11.05.2012", "14/04/2020", "2009/03/05", "5-4-2010", optionally a time after.
_NUMERIC = re.compile(
    r"(?<![\d./-])(\d{1,4})([./-])\s?(\d{1,2})\2\s?(\d{1,4})(?![\d/-]|\.\d)"
    r"(?:\s*(?:,|um|at|à|às|a las|alle|om|kl\.|@|-|–|\|)?\s*(\d{1,2})[:.h](\d{2})(?!\d)\s*([ap]\.?m\.?)?)?",
    re.IGNORECASE,
)
# "17.07, 2011 @ 13:04": day and month (two digits each: not a version number) with a dot, the year
# after a comma (a theme's "d.m, Y").
_DOTTED_COMMA_YEAR = re.compile(
    r"(?<![\d.])(\d{2})\.(\d{2}),\s?(\d{4})(?!\d)(?:\s*(?:@|um|at|,)?\s*(\d{1,2}):(\d{2}))?"
)
# Japanese WordPress's "9月 23, 2020" (month, day, year).
_CJK_MONTH_FIRST = re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2}),?\s*(\d{4})")
_CJK = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?(?:\D{0,6}?(\d{1,2})[:：時시](\d{2}))?")


def numeric_order(texts: list[str]) -> bool | None:
    """How a page orders its numeric dates, from those that tell (a part over 12): True for day
    first, False for month first, None when none tells or they disagree."""
    votes = set()
    for text in texts:
        for m in _NUMERIC.finditer(text):
            first, second, year = m.group(1), m.group(3), m.group(4)
            if len(first) > 2 or len(year) not in (2, 4):
                continue
            if int(first) > 12 >= int(second):
                votes.add(True)
            elif int(second) > 12 >= int(first):
                votes.add(False)
    return votes.pop() if len(votes) == 1 else None


def ambiguous_numeric(text: str) -> bool:
    """True when the text's numeric date reads as two different days (day and month both 12 or
    less, and not equal): the page's order, once known, decides it."""
    m = _NUMERIC.search(text)
    if not m or len(m.group(1)) > 2:
        return False
    first, second = int(m.group(1)), int(m.group(3))
    return first <= 12 and second <= 12 and first != second


def _numeric(text: str, day_first: bool | None, dotted_day_first: bool = True) -> str | None:
    for m in _NUMERIC.finditer(text):
        first, separator, second, last = m.group(1), m.group(2), m.group(3), m.group(4)
        if len(first) == 4 and len(last) <= 2:
            year, month, day = int(first), int(second), int(last)
        elif len(first) <= 2 and (len(last) == 4 or (len(last) == 2 and _short_year_ok(first, separator, second))):
            a, b = int(first), int(second)
            year = int(last) if len(last) == 4 else _century(int(last))
            if separator == ".":
                order = dotted_day_first if b <= 12 and a <= 12 else (b <= 12 if a > 12 or b > 12 else None)
            elif a > 12 >= b:
                order = True
            elif b > 12 >= a:
                order = False
            elif a == b:
                order = True
            else:
                order = day_first
            if order is None:
                continue
            day, month = (a, b) if order else (b, a)
        else:
            continue
        found = _valid_day(year, month, day)
        if found:
            return _with_time(found, m.group(5), m.group(6), m.group(7))
    return None


def _short_year_ok(first: str, separator: str, second: str) -> bool:
    """A two-digit year only in a date that cannot be a version number: with slashes ("9/12/08"),
    or all parts two digits with dots ("07.08.09")."""
    return separator == "/" or (separator == "." and len(first) == len(second) == 2)


def _century(year: int) -> int:
    """A two-digit year of a blog: 1995-1999 or 2000-2049 (other values cannot be a blog's)."""
    return 1900 + year if year >= 95 else (2000 + year if year < 50 else 0)


def _valid_day(year: int, month: int, day: int) -> datetime | None:
    if not 1000 <= year <= 2100:
        return None
    try:
        return datetime(year, month, day)
    except ValueError:
        return None


def _with_time(
    date: datetime, hour: str | None, minute: str | None, ampm: str | None = None, second: str | None = None
) -> str:
    """The day, with the time when one is given and valid (12-hour clocks turned to 24)."""
    if hour is None or minute is None:
        return _day(date)
    h = int(hour)
    if ampm:
        pm = ampm.lower().startswith("p")
        if h == 12:
            h = 0 if not pm else 12
        elif pm:
            h += 12
    if h > 23 or int(minute) > 59:
        return _day(date)
    return f"{_day(date)}T{h:02d}:{int(minute):02d}:{int(second or 0):02d}"


def _cjk(text: str) -> str | None:
    m = _CJK.search(text)
    if not m:
        m = _CJK_MONTH_FIRST.search(text)
        found = _valid_day(int(m.group(3)), int(m.group(1)), int(m.group(2))) if m else None
        return _day(found) if found else None
    found = _valid_day(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return _with_time(found, m.group(4), m.group(5)) if found else None


# Every English month name `_english` reads (January, Jan, Sept, ...) holds one of these.
_ENGLISH_MONTH_PARTS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@lru_cache(maxsize=4096)
def _parse_text_date(
    text: str, language: str | None, day_first: bool | None = None, dotted_day_first: bool = True
) -> str | None:
    iso = _ISO_IN_TEXT.search(text) if "-" in text else None
    if iso and _ISO.match(iso.group(0)):
        return normalise_machine_date(iso.group(0))
    lowered = text.lower()
    found = _english(text) if any(part in lowered for part in _ENGLISH_MONTH_PARTS) else None
    found = found or _day_month_year(text, language) or _month_day_year(text, language)
    if found:
        return found
    if any(mark in text for mark in "年년月"):
        found = _cjk(text)
        if found:
            return found
    if any(mark in text for mark in "./-"):
        found = _numeric(text, day_first, dotted_day_first)
        if found:
            return found
        dotted = _DOTTED_COMMA_YEAR.search(text) if "," in text else None
        found = _valid_day(int(dotted.group(3)), int(dotted.group(2)), int(dotted.group(1))) if dotted else None
        if found:
            return _with_time(found, dotted.group(4), dotted.group(5))
    candidate = _FOREIGN.search(text)
    if not candidate:
        return None
    return _dateparser(candidate.group(0), language)


def _day(date: datetime) -> str:
    """`date.strftime("%Y-%m-%d")` at a fraction of its cost (strftime leaves years before 1000
    unpadded: those keep it)."""
    if date.year < 1000:
        return date.strftime("%Y-%m-%d")
    return f"{date.year}-{date.month:02d}-{date.day:02d}"


def _english(text: str) -> str | None:
    m = _EN_TIME_FIRST.search(text)
    if m:
        hour, minute, ampm, month_name, day, year = m.groups()
        found = _english(f"{month_name} {day}, {year} at {hour}:{minute} {ampm or ''}".strip())
        if found:
            return found
    for pattern, order in ((_EN_MDY, "mdy"), (_EN_DMY, "dmy")):
        m = pattern.search(text)
        if not m:
            continue
        if order == "mdy":
            month_name, day, year = m.group(1), m.group(2), m.group(3)
        else:
            day, month_name, year = m.group(1), m.group(2), m.group(3)
        month = _MONTHS.get(month_name.lower())
        if not month:
            continue
        try:
            date = datetime(int(year), month, int(day))
        except ValueError:
            return None
        return _with_time(date, m.group(4), m.group(5), m.group(7), m.group(6))
    return None


def _month_number(word: str, language: str | None) -> int | None:
    """The month a name means, in the common languages or in the page's (dateparser's data)."""
    lowered = word.lower()
    return _FOREIGN_MONTHS.get(lowered) or (_language_months(language).get(lowered) if language else None)


# dateparser's locale keys for the months, in order.
_MONTH_KEYS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip


@lru_cache(maxsize=64)
def _language_months(language: str) -> dict[str, int]:
    """Month names (and their inflected forms: Polish "stycznia", Turkish "Temmuz") of one
    language, from dateparser's locale data: read once per language, then a dictionary look-up
    instead of a dateparser call per date."""
    try:
        from dateparser.languages import default_loader

        info = default_loader.get_locale(language).info
    except Exception:  # noqa: BLE001 - an unknown language has no table
        return {}
    months: dict[str, int] = {}
    for number, key in enumerate(_MONTH_KEYS, start=1):
        for name in info.get(key, ()):
            if isinstance(name, str) and len(name) >= 3:
                months.setdefault(name.lower().rstrip("."), number)
    return months


def _day_month_year(text: str, language: str | None = None) -> str | None:
    """ "7. April 2013 um 9:02 Uhr", "7 avril 2013", "7 de abril de 2013 às 21:12"."""
    m = _DAY_MONTH_YEAR.search(text)
    if not m:
        return None
    month = _month_number(m.group(2), language)
    found = _valid_day(int(m.group(3)), month, int(m.group(1))) if month else None
    return _with_time(found, m.group(4), m.group(5)) if found else None


_MONTH_DAY_YEAR = re.compile(
    # WordPress's "jS" prints the English suffix in every language ("Juni 19th, 2018").
    r"\b([^\W\d_]{3,10})\.?\s+(\d{1,2})(?:º|er|st|nd|rd|th)?,?\s+(?:de\s+)?(\d{4})"
    r"(?:\s*(?:,|at|a las|à|às|-)?\s*(\d{1,2})[:.h](\d{2})\s*([ap]\.?m\.?)?)?",
    re.IGNORECASE,
)


_YEAR_MONTH_DAY = re.compile(
    r"\b(\d{4})\s+([^\W\d_]{3,10})\.?\s+(\d{1,2})(?!\d)(?:\s*(?:,|at|@|-)?\s*(\d{1,2})[:.](\d{2})\s*([ap]\.?m\.?)?)?",
    re.IGNORECASE,
)


def _month_day_year(text: str, language: str | None = None) -> str | None:
    """ "julio 14, 2008, 8:28 pm": a month name of another language before the day; "2011 August 1
    at 02:17": the year first."""
    for m in _YEAR_MONTH_DAY.finditer(text):
        month = _MONTHS.get(m.group(2).lower()) or _month_number(m.group(2), language)
        found = _valid_day(int(m.group(1)), month, int(m.group(3))) if month else None
        if found:
            return _with_time(found, m.group(4), m.group(5), m.group(6))
    for m in _MONTH_DAY_YEAR.finditer(text):
        month = _month_number(m.group(1), language)
        if not month:
            continue
        found = _valid_day(int(m.group(3)), month, int(m.group(2)))
        if found:
            return _with_time(found, m.group(4), m.group(5), m.group(6))
    return None


def _dateparser(candidate: str, language: str | None) -> str | None:
    import dateparser  # imported lazily: it is slow to load and rarely needed

    settings = {"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DAY_OF_MONTH": "first"}
    languages = [language] if language else None
    try:
        # With the page's language known, only that language: trying every locale costs 100 ms
        # a string and finds dates in phrases like "HIST 280 Spring 2015".
        parsed = dateparser.parse(candidate, languages=languages, settings=settings)
    except (ValueError, OverflowError, KeyError):
        return None
    if parsed is None:
        return None
    if _HAS_TIME.search(candidate):
        return parsed.strftime("%Y-%m-%dT%H:%M:%S")
    return parsed.strftime("%Y-%m-%d")
