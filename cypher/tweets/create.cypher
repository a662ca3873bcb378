// Returns the new tweet as the API shows it, so posting needs no second read.
MATCH (u:User {id: $author_id})
CREATE (u)-[:POSTED {created_at: datetime({epochMillis: $now_ms})}]->
       (t:Tweet {id: $id, text: $text, created_at: datetime({epochMillis: $now_ms})})
RETURN t.id AS id, t.text AS text, toString(t.created_at) AS created_at,
       u {.id, .username, .display_name} AS author, 0 AS like_count, false AS liked
