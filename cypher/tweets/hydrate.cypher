// The public tweet object for each id: author, the tweet it answers (a deleted one keeps its
// author's id as a placeholder), mentions and tags, exact counts, the viewer's own flags, media.
UNWIND $ids AS tweet_id
MATCH (author:User)-[:POSTED]->(t:Tweet {id: tweet_id})
OPTIONAL MATCH (viewer:User {id: $viewer_id})
OPTIONAL MATCH (t)-[:REPLY_TO]->(parent)
OPTIONAL MATCH (posted_by:User)-[:POSTED]->(parent)
OPTIONAL MATCH (deleted_by:User {id: parent.author_id})
WITH t, author, viewer, parent, coalesce(posted_by, deleted_by) AS parent_author
RETURN t.id AS id, t.text AS text, toString(t.created_at) AS created_at,
       author {.id, .username, .display_name} AS author,
       CASE WHEN parent IS NULL THEN null ELSE {id: parent.id, author: parent_author {.id, .username, .display_name}} END AS in_reply_to,
       {mentions: COLLECT { MATCH (t)-[:MENTIONS]->(m:User) RETURN m.username ORDER BY m.username },
        hashtags: COLLECT { MATCH (t)-[:TAGS]->(g:Tag) RETURN g.name ORDER BY g.name }} AS entities,
       COUNT { (t)<-[:LIKED]-() } AS like_count,
       COUNT { (t)<-[:REPLY_TO]-(:Tweet) } AS reply_count,
       COUNT { (t)<-[:BOOSTED]-() } AS boost_count,
       CASE WHEN viewer IS NULL THEN false ELSE EXISTS { (viewer)-[:LIKED]->(t) } END AS liked,
       CASE WHEN viewer IS NULL THEN false ELSE EXISTS { (viewer)-[:BOOSTED]->(t) } END AS boosted,
       CASE WHEN viewer IS NULL THEN false ELSE EXISTS { (viewer)-[:BOOKMARKED]->(t) } END AS bookmarked,
       COLLECT { MATCH (t)-[r:HAS_MEDIA]->(m:Media) WITH r, m ORDER BY r.position
                 RETURN m {id: toString(m.id), .state, .type, .mime, .url, .preview_url, .width, .height, .duration_ms, .peaks} } AS media
