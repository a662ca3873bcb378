// Find a user: every account whose username starts with $username, in any case, with its
// counts and whether it is suspended. An exact name lists that one account first.
// In Neo4j Browser: :param username => 'ada'
MATCH (u:User)
WHERE u.username_key STARTS WITH toLower($username)
RETURN u.id AS id, u.username AS username, u.display_name AS display_name,
       toString(u.created_at) AS created_at, coalesce(u.suspended, false) AS suspended,
       COUNT { (u)<-[:FOLLOWS]-() } AS followers, COUNT { (u)-[:FOLLOWS]->() } AS following,
       COUNT { (u)-[:POSTED]->() } AS tweets
ORDER BY size(u.username_key), u.username_key
LIMIT 25
