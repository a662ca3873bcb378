// Deletes a tweet. One that has replies leaves a placeholder in its thread: the node stays as a
// :DeletedTweet (no text, no other edges, its author's id kept) with its REPLY_TO edges, so the
// thread does not break. The tweet it answered loses a reply (reply_version orders the count's
// write-through to Redis), and a placeholder left without replies goes too.
MATCH (author:User)-[:POSTED]->(t:Tweet {id: $id})
OPTIONAL MATCH (t)-[:REPLY_TO]->(parent)
WITH t, author, parent, EXISTS { (t)<-[:REPLY_TO]-() } AS answered
CALL (t, answered) {
  WITH * WHERE answered
  MATCH (t)-[r]-() WHERE type(r) <> 'REPLY_TO'
  DELETE r
}
FOREACH (x IN CASE WHEN answered THEN [t] ELSE [] END |
  REMOVE x:Tweet SET x:DeletedTweet, x.author_id = author.id, x.text = null)
FOREACH (x IN CASE WHEN answered THEN [] ELSE [t] END | DETACH DELETE x)
FOREACH (p IN CASE WHEN parent IS NULL THEN [] ELSE [parent] END |
  SET p.reply_version = coalesce(p.reply_version, 0) + 1)
WITH parent,
     CASE WHEN parent:Tweet THEN
       {id: parent.id, version: parent.reply_version, count: COUNT { (parent)<-[:REPLY_TO]-(:Tweet) }} END AS parent_replies
CALL (parent) {
  WITH * WHERE parent:DeletedTweet AND NOT EXISTS { (parent)<-[:REPLY_TO]-() }
  DETACH DELETE parent
}
RETURN 1 AS deleted, parent_replies
