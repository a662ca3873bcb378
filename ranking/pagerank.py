"""PageRank by power iteration on a sparse matrix: the same iteration, defaults and convergence
test as networkx.pagerank, without building a networkx graph (2M edges load in seconds, not minutes)."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def pagerank(
    n: int,
    sources: np.ndarray,
    targets: np.ndarray,
    alpha: float = 0.85,
    tol: float = 1.0e-6,
    max_iter: int = 100,
) -> np.ndarray:
    """Ranks of nodes 0..n-1 for edges sources[i] -> targets[i]; dangling nodes spread uniformly."""
    if n == 0:
        return np.zeros(0)
    weights = np.ones(len(sources))
    a = sp.csr_array((weights, (sources, targets)), shape=(n, n))
    a.sum_duplicates()
    a.data[:] = 1.0
    out_degree = np.asarray(a.sum(axis=1)).ravel()
    inv = np.divide(1.0, out_degree, out=np.zeros(n), where=out_degree != 0)
    q = sp.dia_array((inv, 0), shape=(n, n)) @ a
    x = np.full(n, 1.0 / n)
    p = np.full(n, 1.0 / n)
    dangling = out_degree == 0
    for _ in range(max_iter):
        last = x
        x = alpha * (x @ q + x[dangling].sum() * p) + (1 - alpha) * p
        if np.abs(x - last).sum() < n * tol:
            return x
    raise RuntimeError(f"PageRank did not converge in {max_iter} iterations")
