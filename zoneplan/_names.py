"""Names people give (plans, layers, tables, scenarios): no hidden characters.

A name with a trailing newline, a tab, a zero-width space or a byte-order mark looks like another
name on screen but is a different name in a database or a GeoPackage — ``parcels\\n`` is a second
layer beside ``parcels``, and ``re.match("^…$")`` lets the newline through. :func:`check_name`
refuses such names, saying which character is where.
"""

from __future__ import annotations

import unicodedata

from zoneplan.errors import InputError

__all__ = ["check_name", "hidden_characters"]

#: Unicode categories that do not show: controls, format characters (zero-width, BOM, bidi), line and paragraph separators.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp"})
#: Names of the control characters (Unicode gives them none).
_CONTROL_NAMES = {"\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN", "\x0b": "VERTICAL TAB", "\x0c": "FORM FEED", "\x00": "NUL"}


def hidden_characters(text: str) -> list[tuple[int, str]]:
    """Position and Unicode name of every character of ``text`` that does not show, and of leading/trailing spaces.

    Examples
    --------
    >>> hidden_characters("parcels\\n"), hidden_characters("园区\\u200b一"), hidden_characters("linqing")
    ([(7, 'LINE FEED')], [(2, 'ZERO WIDTH SPACE')], [])
    >>> hidden_characters(" a ")
    [(0, 'SPACE'), (2, 'SPACE')]
    """
    found = [(i, c) for i, c in enumerate(text) if unicodedata.category(c) in _HIDDEN]
    stripped = len(text) - len(text.lstrip()), len(text.rstrip())
    found += [(i, c) for i, c in enumerate(text) if (i < stripped[0] or i >= stripped[1]) and unicodedata.category(c) not in _HIDDEN]
    return [(i, _CONTROL_NAMES.get(c) or str(unicodedata.name(c, f"U+{ord(c):04X}"))) for i, c in sorted(found)]


def check_name(name: object, *, what: str, file: object = None) -> str:
    """``name`` if it is non-empty text with no hidden character; else :class:`~zoneplan.errors.InputError`.

    Parameters
    ----------
    name
        The name as given.
    what
        What it names, for the message ("plan name", "layer name", "scenario name" …).
    file
        The file or database the name is for, for the message.

    Examples
    --------
    >>> check_name("linqing", what="plan name")
    'linqing'
    >>> check_name("linqing\\n", what="plan name")
    Traceback (most recent call last):
    ...
    zoneplan.errors.InputError: invalid plan name 'linqing\\n': a hidden character (LINE FEED at position 8) (rule hidden-character)
    """
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"invalid {what} {name!r}: empty", file=file, rule="empty-name")
    hidden = hidden_characters(name)
    if hidden:
        where = ", ".join(f"{n} at position {i + 1}" for i, n in hidden[:3])
        raise InputError(f"invalid {what} {name!r}: a hidden character ({where})", file=file, rule="hidden-character")
    return name
