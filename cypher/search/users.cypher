// Full-text search over usernames and display names: relevance first, ties by PageRank, not
// users in $hidden nor suspended ones. $query is built by domain/search.py.
CALL db.index.fulltext.queryNodes('user_names', $query, {limit: $candidates}) YIELD node AS u, score
WHERE NOT u.id IN $hidden AND NOT coalesce(u.suspended, false)
RETURN u.id AS id
ORDER BY score DESC, coalesce(u.rank, 0.0) DESC, id
SKIP $skip
LIMIT $limit
