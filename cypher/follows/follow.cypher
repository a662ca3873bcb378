// Idempotent: MERGE locks both users, so parallel follows leave one relationship.
MATCH (a:User {id: $follower_id}), (b:User {id: $followee_id})
WITH a, b, EXISTS { (a)-[:FOLLOWS]->(b) } AS existed
MERGE (a)-[r:FOLLOWS]->(b)
  ON CREATE SET r.created_at = datetime({epochMillis: $now_ms})
RETURN NOT existed AS created
