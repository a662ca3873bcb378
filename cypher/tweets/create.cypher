// Returns the new tweet as the API shows it, so posting needs no second read. Its media are the
// author's own ready uploads $media_ids (checked before), in that order.
MATCH (u:User {id: $author_id})
CREATE (u)-[:POSTED {created_at: datetime({epochMillis: $now_ms})}]->
       (t:Tweet {id: $id, text: $text, created_at: datetime({epochMillis: $now_ms})})
WITH u, t
CALL (u, t) {
  UNWIND range(0, size($media_ids) - 1) AS position
  MATCH (u)-[:UPLOADED]->(m:Media {id: $media_ids[position], state: 'ready'})
  CREATE (t)-[:HAS_MEDIA {position: position}]->(m)
  RETURN collect(m {id: toString(m.id), .type, .mime, .url, .preview_url, .width, .height, .duration_ms, .peaks}) AS media
}
RETURN t.id AS id, t.text AS text, toString(t.created_at) AS created_at,
       u {.id, .username, .display_name} AS author, 0 AS like_count, false AS liked, media
