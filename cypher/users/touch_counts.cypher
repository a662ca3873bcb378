// After follows, unfollows, posts or deletes: bumps each user's counts version under the user's
// lock and returns the exact counts as of that version. A later version always sees at least what
// an earlier one saw, so the read model that keeps the highest version converges on the truth.
UNWIND $ids AS user_id
MATCH (u:User {id: user_id})
SET u.counts_version = coalesce(u.counts_version, 0) + 1
RETURN u.id AS id, u.counts_version AS counts_version,
       COUNT { (u)<-[:FOLLOWS]-() } AS followers_count,
       COUNT { (u)-[:FOLLOWS]->() } AS following_count,
       COUNT { (u)-[:POSTED]->() } AS tweets_count
