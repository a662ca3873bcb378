// A tweet's likers, most recent like first. $tweet_id may be the number or, as the API writes
// ids, its decimal string.
// In Neo4j Browser: :params {tweet_id: '7212345678901234567', limit: 50}
MATCH (author:User)-[:POSTED]->(t:Tweet {id: toInteger($tweet_id)})<-[liked:LIKED]-(liker:User)
RETURN liker.id AS id, liker.username AS username, toString(liked.created_at) AS liked_at,
       author.username AS author, t.text AS text
ORDER BY liked.created_at DESC, liker.username
LIMIT $limit
