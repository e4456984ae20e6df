"""Text columns built by Arrow (internal).

pandas turns a NumPy object array or a list of ``str`` into its Arrow-backed string dtype one
Python object at a time (0.15–0.3 s for a million values); Arrow builds the same column from the
same values in a hundredth of that. Per-parcel text (idle reasons, land-use codes in force,
finding ids) goes through here, and so do the findings' messages: :func:`written` formats each
distinct value of a column once, :func:`sentences` joins literal text and such columns row by row.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import ArrayLike

__all__ = ["STR", "as_text", "either", "joined", "sentences", "take_text", "written"]

#: pandas' default text dtype (``str``: missing is NaN), what it infers for text it is given.
STR = pd.StringDtype("pyarrow", na_value=np.nan)


def as_text(values: ArrayLike | pa.Array | pa.ChunkedArray, *, dtype: str | pd.StringDtype = "string") -> pd.api.extensions.ExtensionArray:
    """``values`` (one per row; None / NaN / NA missing) as a string array of ``dtype``, built by Arrow.

    ``dtype`` is ``"string"`` (missing is ``pd.NA``) or :data:`STR`. Values that are not
    strings (numbers …) take pandas' own conversion, which writes them as text.

    Examples
    --------
    >>> as_text(np.array(["0701", None], dtype=object)).tolist(), as_text([1, 2]).tolist()
    (['0701', <NA>], ['1', '2'])
    """
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return pd.array(values.cast(pa.large_string()), dtype=dtype)
    if isinstance(values, (pd.Series, pd.Index)):
        if values.dtype == dtype and getattr(values.dtype, "storage", None) == "pyarrow":
            return values.array
        values = values.to_numpy(dtype=object, na_value=None)
    try:
        return pd.array(pa.array(values, type=pa.large_string(), from_pandas=True), dtype=dtype)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pd.array(values, dtype=dtype)


def take_text(texts: Sequence[str | None], codes: np.ndarray, *, dtype: str | pd.StringDtype = STR) -> pd.api.extensions.ExtensionArray:
    """``texts[codes]`` as a string array: a few distinct texts spread over many rows.

    Examples
    --------
    >>> take_text(["built", "not supplied", None], np.array([1, 0, 2, 1])).tolist()
    ['not supplied', 'built', nan, 'not supplied']
    """
    return as_text(_taken(texts, codes), dtype=dtype)


def _taken(texts: Sequence[str | None], codes: np.ndarray) -> pa.Array:
    return pa.array(list(texts), type=pa.large_string()).take(pa.array(np.asarray(codes, dtype=np.int64)))


def written(values: ArrayLike, spec: str = "") -> pa.Array:
    """Each value as text, ``format(value, spec)``, for a finding's message; missing values as ``?``.

    Each distinct value is formatted once (ids, codes, names and years repeat over a province's
    findings), and the texts are taken by Arrow, so a column of a million rows costs one pass.

    Examples
    --------
    >>> written([1234.5, 1234.5, float("nan"), 7], ",.1f").to_pylist()
    ['1,234.5', '1,234.5', '?', '7.0']
    """
    codes, uniques = pd.factorize(values if isinstance(values, (pd.Series, pd.Index, np.ndarray)) else np.asarray(values, dtype=object), use_na_sentinel=True)
    texts = [*(format(u, spec) for u in np.asarray(uniques, dtype=object).tolist()), "?"]
    return _taken(texts, np.where(codes >= 0, codes, len(uniques)))


def sentences(*pieces: str | pa.Array) -> pa.Array:
    """One message per row: literal ``str`` pieces and per-row pieces (:func:`written`) joined by Arrow.

    Examples
    --------
    >>> sentences("parcel ", written(["P1", "P2"]), " is ", written([12.25, 3.0], ",.1f"), " m away").to_pylist()
    ['parcel P1 is 12.2 m away', 'parcel P2 is 3.0 m away']
    """
    return pc.binary_join_element_wise(*map(_piece, pieces), _piece(""))


def either(mask: ArrayLike, yes: str | pa.Array, no: str | pa.Array = "") -> pa.Array:
    """Per row ``yes`` where ``mask`` holds, else ``no``: two ways of saying it, or an optional clause.

    Examples
    --------
    >>> either([True, False], sentences("; sanction: ", written(["20% idle fee", None]))).to_pylist()
    ['; sanction: 20% idle fee', '']
    """
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), _piece(yes), _piece(no))


def _piece(text: str | pa.Array) -> pa.Array | pa.Scalar:
    return pa.scalar(text, pa.large_string()) if isinstance(text, str) else text


def joined(values: ArrayLike, groups: np.ndarray, n_groups: int, *, sep: str = ";") -> pa.Array:
    """The distinct ``values`` of each group ``0 … n_groups-1``, sorted and joined by ``sep`` (one pass, no loop over groups).

    A group with no value gets ``""``.

    Examples
    --------
    >>> joined(["红线2", "红线1", "红线2", "B"], np.array([0, 0, 0, 2]), 3).to_pylist()
    ['红线1;红线2', '', 'B']
    """
    codes, names = pd.factorize(np.asarray(values, dtype=object), sort=True)
    pair = np.unique(np.asarray(groups, dtype=np.int64) * max(len(names), 1) + codes)  # by group, then name
    group, name = np.divmod(pair, max(len(names), 1))
    offsets = np.r_[0, np.cumsum(np.bincount(group, minlength=n_groups))]
    lists = pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), _taken(np.asarray(names, dtype=object).tolist(), name))
    return pc.binary_join(lists, pa.scalar(sep, type=pa.large_string()))
