// All tweets a user bookmarks: the complete set the feed's `bookmarked` flags are read from.
MATCH (:User {id: $user_id})-[:BOOKMARKED]->(t:Tweet)
RETURN collect(t.id) AS ids
