// Idempotent. MERGE locks user and tweet, so parallel likes by one user leave one relationship,
// and only the transaction that created it sees ON CREATE (so only it records the like's event);
// like_version, bumped under the tweet's lock, orders the counter's write-through to Redis.
MATCH (u:User {id: $user_id}), (t:Tweet {id: $tweet_id})
MERGE (u)-[r:LIKED]->(t)
  ON CREATE SET r.created_at = datetime({epochMillis: $now_ms}), r.just_created = true
SET t.like_version = coalesce(t.like_version, 0) + 1
WITH t, r, r.just_created IS NOT NULL AS created
REMOVE r.just_created
RETURN created, COUNT { (t)<-[:LIKED]-() } AS like_count, t.like_version AS version
