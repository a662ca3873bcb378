// What a login checks: the password hash and whether the account is suspended.
MATCH (u:User {username_key: $username_key})
RETURN u.id AS id, u.username AS username, u.password_hash AS password_hash,
       coalesce(u.suspended, false) AS suspended
