// A live token's owner and what it may do. Tokens made before scopes existed may read and write.
MATCH (u:User)-[:OWNS_TOKEN]->(k:ApiToken {hash: $hash})
WHERE NOT coalesce(u.suspended, false) AND (k.expires_at IS NULL OR k.expires_at > datetime())
RETURN u.id AS user_id, u.username AS username, k.id AS token_id,
       coalesce(k.scopes, ['read', 'write']) AS scopes,
       CASE WHEN k.expires_at IS NULL THEN null ELSE k.expires_at.epochMillis END AS expires_at
