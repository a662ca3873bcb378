// The follow graph as adjacency lists, for PageRank: one row of two lists, every user's id and,
// at the same position, the ids that user follows (one row, not one a user: the driver's cost
// is per row; docs/performance.md, item 31).
MATCH (u:User)
RETURN collect(u.id) AS ids, collect([(u)-[:FOLLOWS]->(v:User) | v.id]) AS follows
