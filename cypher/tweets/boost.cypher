// Idempotent. MERGE locks user and tweet, so parallel boosts by one user leave one relationship,
// and only the transaction that created it sees ON CREATE (so only it records the boost's event).
// The boost keeps its own time-ordered id: its entry's place in the followers' feeds.
// boost_version, bumped under the tweet's lock, orders the counter's write-through to Redis.
MATCH (u:User {id: $user_id}), (author:User)-[:POSTED]->(t:Tweet {id: $tweet_id})
MERGE (u)-[r:BOOSTED]->(t)
  ON CREATE SET r.created_at = datetime({epochMillis: $now_ms}), r.id = $boost_id, r.just_created = true
SET t.boost_version = coalesce(t.boost_version, 0) + 1
WITH t, r, author, r.just_created IS NOT NULL AS created
REMOVE r.just_created
RETURN created, r.id AS boost_id, author.id AS author_id,
       COUNT { (t)<-[:BOOSTED]-() } AS boost_count, t.boost_version AS version
