// The follow graph as adjacency lists: one row per user, for PageRank.
MATCH (u:User)
RETURN u.id AS id, [(u)-[:FOLLOWS]->(v:User) | v.id] AS follows
