MATCH (u:User {username_key: $username_key})
RETURN u.id AS id
