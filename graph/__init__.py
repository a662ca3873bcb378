"""The Neo4j adapter: one driver per process, repositories that run the queries in cypher/."""
