// Idempotent; private to the user (nobody is told).
MATCH (u:User {id: $user_id}), (t:Tweet {id: $tweet_id})
MERGE (u)-[r:BOOKMARKED]->(t)
  ON CREATE SET r.created_at = datetime({epochMillis: $now_ms})
RETURN true AS bookmarked
