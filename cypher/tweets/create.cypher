// A batch of new tweets, $items [{i, id, author_id, text, now_ms, media_ids, in_reply_to_id,
// mentioned_ids, tags, events}], in one transaction, each recording its `events` (the post's).
// Each tweet comes with its edges: REPLY_TO the tweet it answers (whose reply_version orders the
// reply count's write-through to Redis), MENTIONS of its mentioned_ids, TAGS to each of its tags,
// and HAS_MEDIA to its author's own ready uploads media_ids (checked before), in that order. No row
// for an item whose answered tweet is gone or whose author blocks the poster. Returns each tweet as
// the API shows it, so posting needs no second read.
UNWIND $items AS item
CALL (item) {
  MATCH (u:User {id: item.author_id})
  OPTIONAL MATCH (parent_author:User)-[:POSTED]->(parent:Tweet {id: item.in_reply_to_id})
  WITH item, u, parent, parent_author
  WHERE item.in_reply_to_id IS NULL OR (parent IS NOT NULL AND NOT EXISTS { (parent_author)-[:BLOCKS]->(u) })
  CREATE (u)-[:POSTED {created_at: datetime({epochMillis: item.now_ms})}]->
         (t:Tweet {id: item.id, text: item.text, created_at: datetime({epochMillis: item.now_ms})})
  FOREACH (p IN CASE WHEN parent IS NULL THEN [] ELSE [parent] END |
    CREATE (t)-[:REPLY_TO]->(p)
    SET p.reply_version = coalesce(p.reply_version, 0) + 1)
  FOREACH (e IN item.events | CREATE (event:Event:Unrelayed) SET event = e)
  WITH item, u, t, parent, parent_author
  CALL (item, t) {
    UNWIND coalesce(item.mentioned_ids, []) AS mentioned_id
    MATCH (m:User {id: mentioned_id})
    CREATE (t)-[:MENTIONS]->(m)
  }
  CALL (item, t) {
    UNWIND coalesce(item.tags, []) AS tag
    MERGE (g:Tag {name: tag})
    CREATE (t)-[:TAGS {created_at: t.created_at}]->(g)
  }
  CALL (u, t, item) {
    UNWIND range(0, size(coalesce(item.media_ids, [])) - 1) AS position
    MATCH (u)-[:UPLOADED]->(m:Media {id: item.media_ids[position], state: 'ready'})
    CREATE (t)-[:HAS_MEDIA {position: position}]->(m)
    RETURN collect(m {id: toString(m.id), .state, .type, .mime, .url, .preview_url, .width, .height, .duration_ms, .peaks}) AS media
  }
  RETURN t.id AS id, t.text AS text, toString(t.created_at) AS created_at,
         u {.id, .username, .display_name} AS author,
         CASE WHEN parent IS NULL THEN null
              ELSE {id: parent.id, author: parent_author {.id, .username, .display_name}} END AS in_reply_to,
         {mentions: COLLECT { MATCH (t)-[:MENTIONS]->(m:User) RETURN m.username ORDER BY m.username },
          hashtags: COLLECT { MATCH (t)-[:TAGS]->(g:Tag) RETURN g.name ORDER BY g.name }} AS entities,
         0 AS like_count, false AS liked, 0 AS reply_count, 0 AS boost_count, false AS boosted, false AS bookmarked,
         media,
         CASE WHEN parent IS NULL THEN null ELSE
           {id: parent.id, version: parent.reply_version, count: COUNT { (parent)<-[:REPLY_TO]-(:Tweet) }} END AS parent_replies
}
RETURN item.i AS i, id, text, created_at, author, in_reply_to, entities, like_count, liked, reply_count, boost_count,
       boosted, bookmarked, media, parent_replies
