// Idempotent: $user_id mutes $other_id (hides their tweets and notifications from $user_id only).
MATCH (a:User {id: $user_id}), (b:User {id: $other_id})
MERGE (a)-[r:MUTES]->(b)
  ON CREATE SET r.created_at = datetime({epochMillis: $now_ms}), r.just_created = true
WITH r, r.just_created IS NOT NULL AS created
REMOVE r.just_created
RETURN created
