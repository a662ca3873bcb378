// A batch of new tweets, $items [{i, id, author_id, text, now_ms}], in one transaction. Returns each
// tweet as the API shows it, so posting needs no second read.
UNWIND $items AS item
CALL (item) {
  MATCH (u:User {id: item.author_id})
  CREATE (u)-[:POSTED {created_at: datetime({epochMillis: item.now_ms})}]->
         (t:Tweet {id: item.id, text: item.text, created_at: datetime({epochMillis: item.now_ms})})
  RETURN t.id AS id, t.text AS text, toString(t.created_at) AS created_at,
         u {.id, .username, .display_name} AS author, 0 AS like_count, false AS liked
}
RETURN item.i AS i, id, text, created_at, author, like_count, liked
