// The ids of a tweet's media.
MATCH (:Tweet {id: $tweet_id})-[:HAS_MEDIA]->(m:Media)
RETURN m.id AS id
