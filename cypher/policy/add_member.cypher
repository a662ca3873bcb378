MATCH (u:User {id: $user_id}), (g:Group {name: $name})
MERGE (u)-[m:MEMBER_OF]->(g)
ON CREATE SET m.created_at = datetime({epochMillis: $now_ms})
RETURN g.name AS name
