MATCH (u:User {id: $user_id})
SET u.suspended = $suspended
RETURN u.id AS id
