// Hashtags used together in the tweets of the last $hours hours: one row per pair of tags.
//   together  tweets carrying both;
//   tag_tweets, other_tweets  tweets carrying each;
//   jaccard   together / tweets carrying either, so two tags that nearly always go together
//             score near 1 however rare they are.
// In Neo4j Browser: :params {hours: 168, limit: 20}
WITH datetime() - duration({hours: $hours}) AS since
MATCH (tag:Tag)<-[:TAGS]-(tweet:Tweet)-[:TAGS]->(other:Tag)
WHERE tag.name < other.name AND tweet.created_at >= since
WITH since, tag, other, count(tweet) AS together
WITH tag, other, together,
     COUNT { (tag)<-[:TAGS]-(t:Tweet) WHERE t.created_at >= since } AS tag_tweets,
     COUNT { (other)<-[:TAGS]-(t:Tweet) WHERE t.created_at >= since } AS other_tweets
RETURN tag.name AS tag, other.name AS other, together, tag_tweets, other_tweets,
       toFloat(together) / (tag_tweets + other_tweets - together) AS jaccard
ORDER BY together DESC, jaccard DESC, tag, other
LIMIT $limit
