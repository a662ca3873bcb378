MATCH (a:User {id: $user_id}), (b:User {id: $other_id})
OPTIONAL MATCH (a)-[r:BLOCKS]->(b)
DELETE r
RETURN count(r) > 0 AS removed
