// The public profile of each id with its exact counts and their version (cache/profiles.py keeps
// the counts of the highest version it is given, so a rebuild never overwrites a newer write).
UNWIND $ids AS user_id
MATCH (u:User {id: user_id})
RETURN u.id AS id, u.username AS username, u.display_name AS display_name, u.bio AS bio,
       toString(u.created_at) AS created_at,
       COUNT { (u)<-[:FOLLOWS]-() } AS followers_count,
       COUNT { (u)-[:FOLLOWS]->() } AS following_count,
       COUNT { (u)-[:POSTED]->() } AS tweets_count,
       coalesce(u.counts_version, 0) AS counts_version
