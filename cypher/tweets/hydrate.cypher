// The public tweet object for each id: author, exact like count, the viewer's own like, media.
UNWIND $ids AS tweet_id
MATCH (author:User)-[:POSTED]->(t:Tweet {id: tweet_id})
OPTIONAL MATCH (viewer:User {id: $viewer_id})
RETURN t.id AS id, t.text AS text, toString(t.created_at) AS created_at,
       author {.id, .username, .display_name} AS author,
       COUNT { (t)<-[:LIKED]-() } AS like_count,
       CASE WHEN viewer IS NULL THEN false ELSE EXISTS { (viewer)-[:LIKED]->(t) } END AS liked,
       COLLECT { MATCH (t)-[r:HAS_MEDIA]->(m:Media) WITH r, m ORDER BY r.position
                 RETURN m {id: toString(m.id), .state, .type, .mime, .url, .preview_url, .width, .height, .duration_ms, .peaks} } AS media
