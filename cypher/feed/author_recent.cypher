// An author's newest tweets: merged into feeds on follow, taken out on unfollow.
MATCH (:User {id: $author_id})-[:POSTED]->(t:Tweet)
RETURN t.id AS id
ORDER BY id DESC
LIMIT $limit
