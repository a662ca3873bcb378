// Tweets trending in $user_id's network: those the most people it follows liked in the last
// $hours hours, then the most liked overall, then the newest. The user's own tweets and those it
// already liked are left out. liked_by names up to three of the likers it follows.
// In Neo4j Browser: :params {user_id: 1, hours: 24, limit: 10}
MATCH (me:User {id: $user_id})-[:FOLLOWS]->(friend:User)-[liked:LIKED]->(tweet:Tweet)
WHERE liked.created_at >= datetime() - duration({hours: $hours})
  AND NOT EXISTS { (me)-[:POSTED]->(tweet) }
  AND NOT EXISTS { (me)-[:LIKED]->(tweet) }
WITH tweet, friend
ORDER BY friend.username
WITH tweet, count(friend) AS network_likes, collect(friend.username)[..3] AS liked_by
MATCH (author:User)-[:POSTED]->(tweet)
RETURN tweet.id AS id, author.username AS author, tweet.text AS text, network_likes,
       COUNT { (tweet)<-[:LIKED]-() } AS likes, liked_by
ORDER BY network_likes DESC, likes DESC, id DESC
LIMIT $limit
