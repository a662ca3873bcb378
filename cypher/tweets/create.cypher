MATCH (u:User {id: $author_id})
CREATE (u)-[:POSTED {created_at: datetime({epochMillis: $now_ms})}]->
       (t:Tweet {id: $id, text: $text, created_at: datetime({epochMillis: $now_ms})})
RETURN t.id AS id
