// Revokes every token of a user (suspension); the hashes let the caller drop them from the cache.
MATCH (:User {id: $user_id})-[:OWNS_TOKEN]->(k:ApiToken)
WITH k, k.hash AS hash
DETACH DELETE k
RETURN hash
