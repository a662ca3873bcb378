// Popularity of given tweets at time $now_ms (see docs/feed-and-ranking.md for the formula and why):
//   score = (sum over likers of (1 + n * rank(liker)) + sum over boosters of 2 * (1 + n * rank(booster))
//            + log10(1 + followers(author)) + n * rank(author))
//           / (age in hours + 2) ^ 1.8
// where rank is the stored PageRank and n the number of users (so the average user has n * rank = 1).
CALL () { MATCH (u:User) RETURN count(u) AS n }
UNWIND $ids AS tweet_id
MATCH (author:User)-[:POSTED]->(t:Tweet {id: tweet_id})
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
RETURN t.id AS id, author.id AS author_id,
       (like_weight + boost_weight + log10(1.0 + COUNT { (author)<-[:FOLLOWS]-() }) + n * coalesce(author.rank, 0.0))
       / ((CASE WHEN age_hours < 0 THEN 0.0 ELSE age_hours END) + 2.0) ^ 1.8 AS score
