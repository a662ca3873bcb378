// Each tweet's own author's flags on it: what a like or boost notification shows that author,
// read for a whole batch of tweets at once.
UNWIND $ids AS tweet_id
MATCH (author:User)-[:POSTED]->(t:Tweet {id: tweet_id})
RETURN t.id AS id,
       EXISTS { (author)-[:LIKED]->(t) } AS liked,
       EXISTS { (author)-[:BOOSTED]->(t) } AS boosted,
       EXISTS { (author)-[:BOOKMARKED]->(t) } AS bookmarked
