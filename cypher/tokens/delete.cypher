MATCH (:User {id: $user_id})-[:OWNS_TOKEN]->(k:ApiToken {id: $id})
WITH k, k.hash AS hash
DETACH DELETE k
RETURN hash
