import networkx as nx
import numpy as np
import pytest

from ranking.pagerank import pagerank


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pagerank_equals_networkx_within_1e_6(seed):
    g = nx.gnp_random_graph(300, 0.02, seed=seed, directed=True)
    g.add_nodes_from(range(300, 310))  # isolated, dangling nodes
    edges = np.array(list(g.edges()), dtype=np.int64)
    ours = pagerank(g.number_of_nodes(), edges[:, 0], edges[:, 1])
    theirs = nx.pagerank(g)
    assert max(abs(ours[i] - theirs[i]) for i in g.nodes) < 1e-6
    assert abs(ours.sum() - 1.0) < 1e-9


def test_pagerank_of_a_star_puts_the_hub_first():
    sources = np.array([1, 2, 3, 4])
    targets = np.array([0, 0, 0, 0])
    ranks = pagerank(5, sources, targets)
    assert ranks.argmax() == 0
    assert np.allclose(ranks[1:], ranks[1])


def test_duplicate_edges_count_once_like_a_digraph():
    once = pagerank(3, np.array([0, 1]), np.array([1, 2]))
    twice = pagerank(3, np.array([0, 0, 1]), np.array([1, 1, 2]))
    assert np.allclose(once, twice)
