MATCH (:User {id: $user_id})-[:OWNS_TOKEN]->(k:ApiToken)
WHERE k.expires_at IS NULL OR k.expires_at > datetime()
RETURN k.id AS id, k.name AS name, toString(k.created_at) AS created_at,
       coalesce(k.scopes, ['read', 'write']) AS scopes, toString(k.expires_at) AS expires_at
ORDER BY k.created_at DESC
