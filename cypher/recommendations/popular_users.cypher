// Who to follow when the network suggests too few: the best-ranked accounts (PageRank in
// User.rank, then follower count) that $user_id does not follow, other than those in $exclude.
// In Neo4j Browser: :params {user_id: 1, exclude: [], limit: 10}
MATCH (me:User {id: $user_id})
MATCH (candidate:User)
WHERE candidate <> me
  AND NOT candidate.id IN $exclude
  AND NOT EXISTS { (me)-[:FOLLOWS]->(candidate) }
  AND NOT coalesce(candidate.suspended, false)
WITH candidate, coalesce(candidate.rank, 0.0) AS rank
RETURN candidate.id AS id, candidate.username AS username, rank,
       COUNT { (candidate)<-[:FOLLOWS]-() } AS followers
ORDER BY rank DESC, followers DESC, id
LIMIT $limit
