// Only the token's hash is stored; the token itself is shown once, at creation.
MATCH (u:User {id: $user_id})
CREATE (u)-[:OWNS_TOKEN]->(k:ApiToken {
  id: $id, name: $name, hash: $hash, created_at: datetime({epochMillis: $now_ms}),
  scopes: $scopes, expires_at: CASE WHEN $expires_ms IS NULL THEN null ELSE datetime({epochMillis: $expires_ms}) END
})
RETURN k.id AS id
