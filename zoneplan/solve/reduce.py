"""Exact reductions of the goal-seeking model before HiGHS sees it.

Two reductions, each provably leaving the optimum unchanged:

**Interchangeable parcels** (:func:`aggregate`)
    Two free parcels whose option blocks are identical — the same number of options, and option
    for option the same coefficient in every target, quota and adjacency row, the same column
    bound (control lines, adjacency next to fixed land) and the same cost under every criterion
    solved — can swap their choices without changing any row or the objective. A class of ``k``
    such parcels becomes one block of **integer** columns in ``[0, k]`` (how many of them take
    each option) with its assignment row summing to ``k``. The classes are found by hashing each
    parcel's block and then confirmed by comparing every member's block with its class's first
    parcel entry by entry, so a hash collision can only cost a merge, never exactness.
    :meth:`Reduced.expand` gives the parcels back their options: the class's members, in plan
    order, take the options in turn by the counts solved.

**Independent components** (:func:`components`)
    Parcels that share no row (different zones with zone targets and zone quotas, no adjacency
    across) form separate blocks of the constraint matrix. The objective is a sum over columns, so
    the optimum is the sum of the blocks' optima and each block is solved on its own: the
    relative gap of every block's answer at most ``gap`` makes the total's gap at most ``gap``.

Examples
--------
>>> from zoneplan import datasets
>>> from zoneplan.solve import build_model
>>> from zoneplan.solve.solver import criteria
>>> model = build_model(datasets.load("linqing"), years=[2035])
>>> reduced = aggregate(model, [criteria(model)["area"]])
>>> reduced.A.shape[1] <= model.n_columns
True
>>> n_blocks, row_block, col_block = components(reduced.A)
>>> n_blocks >= 1 and len(col_block) == reduced.A.shape[1]
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from zoneplan.solve.model import Model

__all__ = ["Reduced", "aggregate", "components"]


@dataclass
class Reduced:
    """The model with interchangeable parcels merged.

    Attributes
    ----------
    A, lb, ub
        Rows of the reduced model (a merged class's assignment row sums to its size).
    lower, upper, integrality
        Column bounds (an option: 0 to the size of its parcel's class, 1 for a parcel of its own, 0
        when forbidden; floor area as in the model) and integrality (options integer, floor area
        continuous).
    costs
        The criteria given to :func:`aggregate`, on the reduced columns.
    columns
        For each reduced column, the model column it stands for (an option of its class's first
        parcel, or a floor-area column, never merged).
    twin
        Per model option, the option of its class's first parcel it is identical to (itself for
        that parcel's own options).
    member_rank
        Per model option, its parcel's place in its class (0: the first parcel).
    classes
        Sizes of the classes of more than one parcel.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.solve import build_model
    >>> model = build_model(datasets.load("linqing"), years=[2035])
    >>> reduced = aggregate(model, [np.ones(model.n_columns)])
    >>> chosen, floor = reduced.expand(np.zeros(reduced.A.shape[1]))  # nothing chosen
    >>> int(chosen.sum()), len(floor), reduced.merged_parcels
    (0, 0, 0)
    """

    model: Model
    A: sp.csr_matrix
    lb: np.ndarray
    ub: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    integrality: np.ndarray
    costs: list[np.ndarray]
    columns: np.ndarray
    twin: np.ndarray
    member_rank: np.ndarray
    classes: np.ndarray

    @property
    def merged_parcels(self) -> int:
        """Parcels folded into another parcel's class."""
        return int(self.classes.sum() - len(self.classes))

    def expand(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The model's answer from a solution ``y`` of the reduced model: chosen options (True per
        option) and floor area added (m² per floor-area column).

        Members of a class take its options in turn: with counts ``v₀, v₁, …`` of the class's
        options, the first ``v₀`` members (plan order) take option 0, the next ``v₁`` option 1, …
        """
        n_opt = self.model.n_options
        full = np.zeros(self.model.n_columns)
        full[self.columns] = y
        counts = np.rint(full[:n_opt]).astype(np.int64)
        parcel = self.model.options["parcel"].to_numpy()
        start = np.searchsorted(parcel, parcel)  # options are sorted by parcel
        total = np.cumsum(counts)
        hi = total - (total[start] - counts[start])  # members up to and including this option
        lo = hi - counts
        t = self.twin
        return (self.member_rank >= lo[t]) & (self.member_rank < hi[t]), full[n_opt:]


def _block_hash(key: np.ndarray, n: int, values: pd.DataFrame, salt: str) -> np.ndarray:
    """Order-independent 64-bit hash per ``key`` (``0 … n−1``) of the rows of ``values``."""
    h = pd.util.hash_pandas_object(values, index=False, hash_key=salt).to_numpy(dtype=np.uint64)
    out = np.zeros(n, dtype=np.uint64)
    np.add.at(out, key, h)
    return out


def aggregate(model: Model, costs: Sequence[np.ndarray]) -> Reduced:
    """The model with interchangeable parcels merged (see the module docstring).

    Parameters
    ----------
    model
        A built model (:func:`zoneplan.solve.build_model`).
    costs
        Every criterion the solve will minimise (the stages), one value per model column: parcels
        are interchangeable only if their options cost the same under each.

    Returns
    -------
    Reduced

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.solve import build_model
    >>> model = build_model(datasets.load("linqing"), years=[2035])
    >>> reduced = aggregate(model, [np.ones(model.n_columns)])
    >>> bool(reduced.expand(np.ones(reduced.A.shape[1]))[0].any()), reduced.merged_parcels >= 0
    (True, True)
    """
    opts = model.options
    n = len(opts)
    parcel = opts["parcel"].to_numpy()
    has, first_opt, rank = np.unique(parcel, return_index=True, return_inverse=True)
    n_par = len(has)
    local = np.arange(n) - first_opt[rank]
    assign_row = np.flatnonzero((model.rows["kind"] == "assign").to_numpy())  # one per parcel of ``has``, in order
    not_assign = np.ones(model.A.shape[0], dtype=bool)
    not_assign[assign_row] = False
    forbidden = opts["forbidden"].to_numpy(dtype=bool)
    cost = [np.asarray(c, dtype=float)[:n] for c in costs]

    coo = model.A[not_assign][:, :n].tocoo()
    nz_parcel = rank[coo.col]
    order = np.lexsort((coo.row, local[coo.col], nz_parcel))
    nz_parcel, nz_local, nz_row, nz_value = nz_parcel[order], local[coo.col][order], coo.row[order], coo.data[order]
    nz = pd.DataFrame({"local": nz_local, "row": nz_row, "value": nz_value})
    feats = pd.DataFrame({"local": local, "forbidden": forbidden, **{f"c{k}": c for k, c in enumerate(cost)}})
    n_opts = np.bincount(rank, minlength=n_par)
    keys = {}
    for salt in ("zoneplan-solve-a", "zoneplan-solve-b"):
        keys[salt] = (
            _block_hash(nz_parcel, n_par, nz, salt) ^ (_block_hash(rank, n_par, feats, salt) * np.uint64(0x9E3779B97F4A7C15)) ^ n_opts.astype(np.uint64)
        )
    cls = pd.DataFrame(keys).groupby(list(keys), sort=False).ngroup().to_numpy()
    first_of = np.full(cls.max() + 1 if n_par else 0, -1, dtype=np.int64)
    first_of[cls[::-1]] = np.arange(n_par)[::-1]
    rep = first_of[cls]  # the first parcel of each parcel's class

    # confirm: every member's block equals its first parcel's, entry by entry (a collision stays apart)
    nz_start = np.searchsorted(nz_parcel, np.arange(n_par))
    nz_count = np.bincount(nz_parcel, minlength=n_par)
    same = (n_opts == n_opts[rep]) & (nz_count == nz_count[rep])
    twin_nz = np.where(same[nz_parcel], nz_start[rep[nz_parcel]] + np.arange(len(nz_parcel)) - nz_start[nz_parcel], 0)
    ok = same[nz_parcel] & (nz_local == nz_local[twin_nz]) & (nz_row == nz_row[twin_nz]) & (nz_value == nz_value[twin_nz])
    twin_o = np.where(same[rank], first_opt[rep[rank]] + local, 0)
    ok_o = same[rank]
    for v in (forbidden, *cost):
        ok_o &= v == v[twin_o]
    bad = np.zeros(n_par, dtype=bool)
    np.logical_or.at(bad, nz_parcel, ~ok)
    np.logical_or.at(bad, rank, ~ok_o)
    rep = np.where(same & ~bad, rep, np.arange(n_par))
    size = np.bincount(rep, minlength=n_par)
    member_rank = pd.Series(np.arange(n_par)).groupby(rep).cumcount().to_numpy()

    keep_parcel = member_rank == 0
    options = np.flatnonzero(keep_parcel[rank])
    cols = np.r_[options, np.arange(n, model.n_columns)]
    keep_rows = np.ones(model.A.shape[0], dtype=bool)
    keep_rows[assign_row[~keep_parcel]] = False
    lb, ub = model.lb.copy(), model.ub.copy()
    lb[assign_row] = size[rep]
    ub[assign_row] = size[rep]
    return Reduced(
        model=model,
        A=model.A[keep_rows][:, cols].tocsr(),
        lb=lb[keep_rows],
        ub=ub[keep_rows],
        lower=model.column_lower[cols],
        upper=np.r_[np.where(forbidden[options], 0.0, size[rank[options]].astype(float)), model.column_upper[n:]],
        integrality=model.integrality[cols],
        costs=[np.asarray(c, dtype=float)[cols] for c in costs],
        columns=cols,
        twin=first_opt[rep[rank]] + local,
        member_rank=member_rank[rank],
        classes=size[size > 1],
    )


def components(A: sp.csr_matrix) -> tuple[int, np.ndarray, np.ndarray]:
    """Independent blocks of ``A``: rows and columns linked through a nonzero share a block.

    Returns
    -------
    tuple
        ``(n_blocks, row_block, col_block)``: the number of blocks, the block of every row and of
        every column.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> components(sp.csr_matrix([[1.0, 0.0], [0.0, 2.0]]))  # two blocks
    (2, array([0, 1], dtype=int32), array([0, 1], dtype=int32))
    """
    n_rows = A.shape[0]
    B = sp.csr_matrix((np.ones(A.nnz), A.indices, A.indptr), shape=A.shape)
    G = sp.bmat([[None, B], [B.T, None]], format="csr")
    n_blocks, label = connected_components(G, directed=False)
    return int(n_blocks), label[:n_rows], label[n_rows:]
