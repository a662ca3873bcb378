// A cold home feed rebuilt from the truth: the newest $limit entries of the viewer and of the
// people they follow, except celebrities (merged at read time): their tweets and their boosts,
// each tweet once (its post if the feed has it, else its earliest boost), plus the celebrities
// they follow. Entries are feed members: a tweet id, or "boost id:tweet id:booster id".
MATCH (me:User {id: $viewer_id})
CALL (me) {
  MATCH (me)-[:POSTED]->(t:Tweet)
  RETURN t.id AS entry_id, t.id AS tweet_id, null AS booster_id ORDER BY entry_id DESC LIMIT $limit
  UNION
  MATCH (me)-[b:BOOSTED]->(t:Tweet)
  RETURN b.id AS entry_id, t.id AS tweet_id, me.id AS booster_id ORDER BY entry_id DESC LIMIT $limit
  UNION
  MATCH (me)-[:FOLLOWS]->(a:User)
  WHERE NOT a.id IN $celebrity_ids
  CALL (a) {
    MATCH (a)-[:POSTED]->(t:Tweet)
    RETURN t.id AS entry_id, t.id AS tweet_id, null AS booster_id ORDER BY entry_id DESC LIMIT $limit
    UNION
    MATCH (a)-[b:BOOSTED]->(t:Tweet)
    RETURN b.id AS entry_id, t.id AS tweet_id, a.id AS booster_id ORDER BY entry_id DESC LIMIT $limit
  }
  RETURN entry_id, tweet_id, booster_id
}
WITH tweet_id, entry_id, booster_id ORDER BY booster_id IS NULL DESC, entry_id
WITH tweet_id, head(collect({entry_id: entry_id, booster_id: booster_id})) AS pick
WITH pick.entry_id AS entry_id,
     CASE WHEN pick.booster_id IS NULL THEN toString(tweet_id)
          ELSE toString(pick.entry_id) + ':' + toString(tweet_id) + ':' + toString(pick.booster_id) END AS member
ORDER BY entry_id DESC LIMIT $limit
WITH collect(member) AS members
MATCH (me:User {id: $viewer_id})
OPTIONAL MATCH (me)-[:FOLLOWS]->(c:User) WHERE c.id IN $celebrity_ids
RETURN members, collect(c.id) AS celebrities
