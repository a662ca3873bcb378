// All tweets a user boosts: the complete set the feed's `boosted` flags are read from.
MATCH (:User {id: $user_id})-[:BOOSTED]->(t:Tweet)
RETURN collect(t.id) AS ids
