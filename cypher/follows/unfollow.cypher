MATCH (a:User {id: $follower_id}), (b:User {id: $followee_id})
OPTIONAL MATCH (a)-[r:FOLLOWS]->(b)
DELETE r
RETURN count(r) > 0 AS removed
