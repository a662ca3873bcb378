// Registers a user; the username_key constraint refuses a name taken in any case.
CREATE (u:User {
  id: $id, username: $username, username_key: $username_key,
  display_name: $display_name, bio: '', password_hash: $password_hash,
  created_at: datetime({epochMillis: $now_ms})
})
RETURN u.id AS id
