// Who to follow when the network suggests too few: the accounts of highest PageRank that
// $user_id does not follow, other than those in $exclude. Read in the order of the User.rank
// index, so only ranked accounts count and the read stops after $limit of them.
// In Neo4j Browser: :params {user_id: 1, exclude: [], limit: 10}
MATCH (candidate:User)
WHERE candidate.rank >= 0.0
  AND candidate.id <> $user_id
  AND NOT candidate.id IN $exclude
  AND NOT coalesce(candidate.suspended, false)
  AND NOT EXISTS { (:User {id: $user_id})-[:FOLLOWS]->(candidate) }
WITH candidate
ORDER BY candidate.rank DESC
LIMIT $limit
RETURN candidate.id AS id, candidate.username AS username, candidate.rank AS rank,
       COUNT { (candidate)<-[:FOLLOWS]-() } AS followers
