MATCH (:User {id: $user_id})-[:FOLLOWS]->(a:User)
RETURN collect(a.id) AS ids
