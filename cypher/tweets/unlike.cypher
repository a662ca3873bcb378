MATCH (u:User {id: $user_id}), (t:Tweet {id: $tweet_id})
OPTIONAL MATCH (u)-[r:LIKED]->(t)
DELETE r
WITH t, count(r) AS removed
RETURN removed > 0 AS removed, COUNT { (t)<-[:LIKED]-(:User) } AS like_count
