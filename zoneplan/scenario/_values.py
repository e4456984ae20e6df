"""Frozen values of edits (internal): hashable dicts and tuples, and their plain JSON/TOML form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["FrozenDict", "drop_none", "frozen", "plain"]


def plain(value: Any) -> Any:
    if isinstance(value, FrozenDict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


class FrozenDict(dict):
    """A hashable, read-only dict so edits stay frozen and comparable."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted((k, v) for k, v in self.items())))

    def _readonly(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("edits are immutable")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = _readonly  # type: ignore[assignment]


def frozen(value: Any) -> Any:
    if isinstance(value, Mapping) and not isinstance(value, FrozenDict):
        return FrozenDict({str(k): frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(frozen(v) for v in value)
    if isinstance(value, tuple):
        return tuple(frozen(v) for v in value)
    return value


def drop_none(value: Any) -> Any:
    """Drop ``None`` recursively (TOML has no null; ``None`` always means "not given")."""
    if isinstance(value, Mapping):
        return {k: drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [drop_none(v) for v in value]
    return value
