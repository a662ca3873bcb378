// The popularity of every tweet of the last $window_hours at time $now_ms: the same formula as
// tweet_scores.cypher, over all recent tweets, for the refresh every minute. One row of three lists
// (ids, author_ids, scores), in no order: a quarter of a million rows would cost the driver and
// Neo4j far more than the scores themselves (docs/performance.md, item 31). In Neo4j Browser, with
//   :param now_ms => timestamp(); :param window_hours => 168
// replace the last line by `RETURN id, author_id, score ORDER BY score DESC LIMIT 10` for the top ten.
CALL () { MATCH (u:User) RETURN count(u) AS n }
MATCH (author:User)-[:POSTED]->(t:Tweet)
WHERE t.created_at >= datetime({epochMillis: $now_ms}) - duration({hours: $window_hours})
CALL (t, n) {
  MATCH (liker:User)-[:LIKED]->(t)
  RETURN sum(1.0 + n * coalesce(liker.rank, 0.0)) AS like_weight
}
CALL (t, n) {
  MATCH (booster:User)-[:BOOSTED]->(t)
  RETURN sum(2.0 * (1.0 + n * coalesce(booster.rank, 0.0))) AS boost_weight
}
WITH t, author, like_weight, boost_weight, n,
     (($now_ms - t.created_at.epochMillis) / 3600000.0) AS age_hours
WITH t.id AS id, author.id AS author_id,
     (like_weight + boost_weight + log10(1.0 + COUNT { (author)<-[:FOLLOWS]-() }) + n * coalesce(author.rank, 0.0))
     / ((CASE WHEN age_hours < 0 THEN 0.0 ELSE age_hours END) + 2.0) ^ 1.8 AS score
RETURN collect(id) AS ids, collect(author_id) AS author_ids, collect(score) AS scores
