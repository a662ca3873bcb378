// Idempotent: $user_id blocks $other_id. The follows between them go, both ways; each removed
// follow is returned as [follower, followee] so that its Unfollowed event is recorded in this
// transaction (graph/relations.py).
MATCH (a:User {id: $user_id}), (b:User {id: $other_id})
MERGE (a)-[r:BLOCKS]->(b)
  ON CREATE SET r.created_at = datetime({epochMillis: $now_ms}), r.just_created = true
WITH a, b, r, r.just_created IS NOT NULL AS created
REMOVE r.just_created
WITH a, b, created
OPTIONAL MATCH (a)-[f1:FOLLOWS]->(b)
OPTIONAL MATCH (b)-[f2:FOLLOWS]->(a)
WITH created, f1, f2,
     CASE WHEN f1 IS NULL THEN [] ELSE [[a.id, b.id]] END + CASE WHEN f2 IS NULL THEN [] ELSE [[b.id, a.id]] END AS unfollowed
DELETE f1, f2
RETURN created, unfollowed
