// The public user object for each id, with exact counts and, for a signed-in viewer, the follow flags.
UNWIND $ids AS user_id
MATCH (u:User {id: user_id})
OPTIONAL MATCH (viewer:User {id: $viewer_id})
RETURN u.id AS id, u.username AS username, u.display_name AS display_name, u.bio AS bio,
       toString(u.created_at) AS created_at,
       COUNT { (u)<-[:FOLLOWS]-() } AS followers_count,
       COUNT { (u)-[:FOLLOWS]->() } AS following_count,
       COUNT { (u)-[:POSTED]->() } AS tweets_count,
       CASE WHEN viewer IS NULL THEN null ELSE EXISTS { (viewer)-[:FOLLOWS]->(u) } END AS following,
       CASE WHEN viewer IS NULL THEN null ELSE EXISTS { (u)-[:FOLLOWS]->(viewer) } END AS followed_by
