// The users named by $keys (case-folded usernames) that exist: mentions resolved before posting.
UNWIND $keys AS key
MATCH (u:User {username_key: key})
RETURN u.id AS id, u.username AS username
