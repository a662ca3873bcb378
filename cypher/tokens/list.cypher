MATCH (:User {id: $user_id})-[:OWNS_TOKEN]->(k:ApiToken)
RETURN k.id AS id, k.name AS name, toString(k.created_at) AS created_at
ORDER BY k.created_at DESC
