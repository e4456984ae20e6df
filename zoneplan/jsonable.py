"""Plain JSON values from numpy, pandas and Python objects (for ``--json``, reports and Excel cells).

One conversion for every machine-readable output: numpy scalars become Python numbers, NaN,
infinity, ``None``, ``pd.NA`` and ``pd.NaT`` become ``null``, containers are converted element by
element, and anything else (dates, paths) becomes its text.

Examples
--------
>>> import numpy as np, pandas as pd
>>> to_jsonable({"area_mu": np.float64(12.5), "met": np.bool_(True), "gap": float("nan"), 3: [np.int64(1), pd.NA]})
{'area_mu': 12.5, 'met': True, 'gap': None, '3': [1, None]}
>>> records(pd.DataFrame({"id": ["a", None], "mu": [1.0, np.nan]}))
[{'id': 'a', 'mu': 1.0}, {'id': None, 'mu': None}]
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["records", "to_jsonable"]


def to_jsonable(value: Any) -> Any:
    """``value`` as plain JSON values (rules in the module docstring); mapping keys become text.

    Plain Python values are converted without numpy or pandas (the command line's fast paths
    never import them); a value of theirs can only exist once they are imported.

    Examples
    --------
    >>> import numpy as np
    >>> to_jsonable({"count": np.int64(3), "area_mu": float("inf"), "ids": ("a", "b")})
    {'count': 3, 'area_mu': None, 'ids': ['a', 'b']}
    """
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, float):  # numpy's float64 too
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if value is None:
        return None
    if isinstance(value, (str, int)):
        return value
    return _foreign(value)


def _foreign(value: Any) -> Any:
    """A numpy or pandas value as JSON (any other object as its text)."""
    np, pd = sys.modules.get("numpy"), sys.modules.get("pandas")
    if np is not None:
        if isinstance(value, np.ndarray):
            return [to_jsonable(v) for v in list(value)]
        if isinstance(value, np.bool_):
            return bool(value)
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.floating):
            return None if math.isnan(value) or math.isinf(value) else float(value)
    if pd is not None:
        if isinstance(value, pd.Series):
            return [to_jsonable(v) for v in list(value)]
        if value is pd.NA or value is pd.NaT:
            return None
    return str(value)


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``table`` as plain JSON records (NA/NaN → None, numpy scalars → Python).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> records(datasets.load("zhangdian").targets[["scope", "metric"]].head(1))
    [{'scope': 'zhangdian', 'metric': 'parcel_min_far'}]
    """
    return to_jsonable(table.astype(object).where(table.notna(), None).to_dict("records"))
