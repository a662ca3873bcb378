// The home feed straight from the graph (past the cached entries): the viewer's own tweets and
// boosts and those of everyone they follow, entries older than $before_id, each tweet once (as
// in rebuild.cypher), newest first, as feed members.
MATCH (me:User {id: $viewer_id})
CALL (me) {
  MATCH (me)-[:POSTED]->(t:Tweet)
  WHERE $before_id IS NULL OR t.id < $before_id
  RETURN t.id AS entry_id, t.id AS tweet_id, null AS booster_id
  UNION
  MATCH (me)-[b:BOOSTED]->(t:Tweet)
  WHERE $before_id IS NULL OR b.id < $before_id
  RETURN b.id AS entry_id, t.id AS tweet_id, me.id AS booster_id
  UNION
  MATCH (me)-[:FOLLOWS]->(a:User)-[:POSTED]->(t:Tweet)
  WHERE $before_id IS NULL OR t.id < $before_id
  RETURN t.id AS entry_id, t.id AS tweet_id, null AS booster_id
  UNION
  MATCH (me)-[:FOLLOWS]->(a:User)-[b:BOOSTED]->(t:Tweet)
  WHERE $before_id IS NULL OR b.id < $before_id
  RETURN b.id AS entry_id, t.id AS tweet_id, a.id AS booster_id
}
WITH tweet_id, entry_id, booster_id ORDER BY booster_id IS NULL DESC, entry_id
WITH tweet_id, head(collect({entry_id: entry_id, booster_id: booster_id})) AS pick
RETURN CASE WHEN pick.booster_id IS NULL THEN toString(tweet_id)
            ELSE toString(pick.entry_id) + ':' + toString(tweet_id) + ':' + toString(pick.booster_id) END AS member
ORDER BY pick.entry_id DESC
LIMIT $limit
