// All tweets a user likes: the complete set the feed's `liked` flags are read from.
MATCH (:User {id: $user_id})-[:LIKED]->(t:Tweet)
RETURN collect(t.id) AS ids
