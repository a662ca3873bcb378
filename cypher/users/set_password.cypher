// A password change: the new hash, and every API token of the user deleted ({id, hash} of each, for the caller to drop them from the cache).
MATCH (u:User {id: $user_id})
SET u.password_hash = $password_hash
WITH u
OPTIONAL MATCH (u)-[:OWNS_TOKEN]->(k:ApiToken)
WITH u, collect(k) AS tokens
WITH u, tokens, [k IN tokens | {id: k.id, hash: k.hash}] AS gone
FOREACH (k IN tokens | DETACH DELETE k)
RETURN gone AS tokens
