MATCH (u:User {id: $id})
SET u += $changes
RETURN u.id AS id
