MATCH (u:User {id: $user_id}), (t:Tweet {id: $tweet_id})
OPTIONAL MATCH (u)-[r:BOOKMARKED]->(t)
DELETE r
RETURN false AS bookmarked
