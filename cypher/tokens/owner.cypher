MATCH (u:User)-[:OWNS_TOKEN]->(k:ApiToken {hash: $hash})
WHERE NOT coalesce(u.suspended, false)
RETURN u.id AS user_id, u.username AS username, k.id AS token_id
