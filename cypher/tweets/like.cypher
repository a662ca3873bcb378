// Idempotent. MERGE locks user and tweet, so parallel likes by one user leave one relationship;
// like_version, bumped under the tweet's lock, orders the counter's write-through to Redis.
MATCH (u:User {id: $user_id}), (t:Tweet {id: $tweet_id})
WITH u, t, EXISTS { (u)-[:LIKED]->(t) } AS existed
MERGE (u)-[r:LIKED]->(t)
  ON CREATE SET r.created_at = datetime({epochMillis: $now_ms})
SET t.like_version = coalesce(t.like_version, 0) + 1
WITH t, existed
RETURN NOT existed AS created, COUNT { (t)<-[:LIKED]-(:User) } AS like_count, t.like_version AS version
