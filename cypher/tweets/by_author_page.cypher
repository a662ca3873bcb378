// A user's tweets, newest first (ids are time-ordered).
MATCH (u:User {id: $user_id})-[:POSTED]->(t:Tweet)
WHERE $before_id IS NULL OR t.id < $before_id
RETURN t.id AS id
ORDER BY id DESC
LIMIT $limit
