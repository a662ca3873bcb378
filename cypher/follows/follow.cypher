// Idempotent: MERGE locks both users, so parallel follows leave one relationship, and only the
// transaction that created it sees ON CREATE (so only it records the follow's event).
MATCH (a:User {id: $follower_id}), (b:User {id: $followee_id})
MERGE (a)-[r:FOLLOWS]->(b)
  ON CREATE SET r.created_at = datetime({epochMillis: $now_ms}), r.just_created = true
WITH r, r.just_created IS NOT NULL AS created
REMOVE r.just_created
RETURN created
