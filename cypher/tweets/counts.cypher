// Exact like, reply and boost counts with the versions that order their write-through to Redis.
UNWIND $ids AS tweet_id
MATCH (t:Tweet {id: tweet_id})
RETURN t.id AS id,
       coalesce(t.like_version, 0) AS like_version, COUNT { (t)<-[:LIKED]-() } AS like_count,
       coalesce(t.reply_version, 0) AS reply_version, COUNT { (t)<-[:REPLY_TO]-(:Tweet) } AS reply_count,
       coalesce(t.boost_version, 0) AS boost_version, COUNT { (t)<-[:BOOSTED]-() } AS boost_count
