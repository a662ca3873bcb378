"""PageRank and popularity: pure functions over graph data (ranking.pagerank), and the jobs'
procedures that load from Neo4j and write results back (ranking.refresh)."""
