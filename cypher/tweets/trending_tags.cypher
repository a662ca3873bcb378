// The tags of the most tweets since $since_ms (the last 24 hours), most first.
// In Neo4j Browser: :params {since_ms: timestamp() - 86400000, k: 10}
MATCH ()-[r:TAGS]->(g:Tag)
WHERE r.created_at >= datetime({epochMillis: $since_ms})
RETURN g.name AS tag, count(r) AS count
ORDER BY count DESC, tag
LIMIT $k
