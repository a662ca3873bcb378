// The notification object for each id: its latest three actors, newest first, how many there are
// in all, and what it is about (the tweet as its recipient sees it, or the message).
UNWIND $ids AS id
MATCH (n:Notification {id: id})
CALL (n) {
  MATCH (n)-[b:BY]->(a:User)
  WITH a, b ORDER BY b.at DESC, b.event_id DESC LIMIT 3
  RETURN collect(a {.id, .username, .display_name}) AS actors
}
OPTIONAL MATCH (author:User)-[:POSTED]->(t:Tweet {id: n.tweet_id})
OPTIONAL MATCH (sender:User)-[:SENT]->(m:Message {id: n.message_id})-[:TO]->(to:User)
RETURN n.id AS id, n.recipient_id AS recipient_id, n.key AS group_key, n.type AS type, actors,
       COUNT { (n)-[:BY]->(:User) } AS count, toString(n.created_at) AS created_at, n.read AS read,
       n.tweet_id IS NOT NULL AS about_tweet, n.message_id IS NOT NULL AS about_message,
       CASE WHEN t IS NULL THEN null ELSE {
         id: t.id, text: t.text, created_at: toString(t.created_at),
         author: author {.id, .username, .display_name},
         like_count: COUNT { (t)<-[:LIKED]-(:User) },
         liked: EXISTS { (:User {id: n.recipient_id})-[:LIKED]->(t) },
         media: COLLECT { MATCH (t)-[r:HAS_MEDIA]->(medium:Media) WITH r, medium ORDER BY r.position
                          RETURN medium {id: toString(medium.id), .state, .type, .mime, .url, .preview_url, .width, .height, .duration_ms, .peaks} }
       } END AS tweet,
       CASE WHEN m IS NULL THEN null ELSE {
         id: m.id, from: sender.username, to: to.username, text: m.text, created_at: toString(m.created_at)
       } END AS message
