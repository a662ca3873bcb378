// A batch of new tweets, $items [{i, id, author_id, text, now_ms, media_ids}], in one transaction.
// Returns each tweet as the API shows it, so posting needs no second read. A tweet's media are its
// author's own ready uploads media_ids (checked before), in that order.
UNWIND $items AS item
CALL (item) {
  MATCH (u:User {id: item.author_id})
  CREATE (u)-[:POSTED {created_at: datetime({epochMillis: item.now_ms})}]->
         (t:Tweet {id: item.id, text: item.text, created_at: datetime({epochMillis: item.now_ms})})
  WITH u, t
  CALL (u, t, item) {
    UNWIND range(0, size(coalesce(item.media_ids, [])) - 1) AS position
    MATCH (u)-[:UPLOADED]->(m:Media {id: item.media_ids[position], state: 'ready'})
    CREATE (t)-[:HAS_MEDIA {position: position}]->(m)
    RETURN collect(m {id: toString(m.id), .state, .type, .mime, .url, .preview_url, .width, .height, .duration_ms, .peaks}) AS media
  }
  RETURN t.id AS id, t.text AS text, toString(t.created_at) AS created_at,
         u {.id, .username, .display_name} AS author, 0 AS like_count, false AS liked, media
}
RETURN item.i AS i, id, text, created_at, author, like_count, liked, media
