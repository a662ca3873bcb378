// Adds each event of $items, in order, to its recipient's notifications, and returns its group as
// that event left it (the subquery runs item by item, each seeing the writes of those before). One node per group
// (docs/events.md): likes of one tweet (prefix 'like:<tweet>') and follows ('follow') gather, as in
// Mastodon 4.3, into the group that the recipient's latest one of that prefix started less than 12
// hours before (item.hour counts hours since the epoch); a message has a prefix of its own, so it
// stands alone. A like's recipient is its tweet's author (item.recipient_id is null); nobody is
// notified of their own act. Idempotent per event: a member (the actor of a like or follow, the
// event of a message) joins a group once, and only a new member moves the group up to its event's
// id and marks it unread.
UNWIND $items AS item
CALL (item) {
  OPTIONAL MATCH (author:User)-[:POSTED]->(:Tweet {id: item.tweet_id})
  WITH item, coalesce(item.recipient_id, author.id) AS recipient_id
  MATCH (r:User {id: recipient_id}), (a:User {id: item.actor_id})
  WHERE r <> a
  OPTIONAL MATCH (latest:Notification {recipient_id: recipient_id, prefix: item.prefix})
  WITH item, recipient_id, a, max(latest.bucket) AS last_bucket
  WITH item, recipient_id, a,
       CASE WHEN last_bucket IS NOT NULL AND item.hour < last_bucket + 12 THEN last_bucket ELSE item.hour END AS bucket
  MERGE (n:Notification {recipient_id: recipient_id, key: item.prefix + '@' + toString(bucket)})
    ON CREATE SET n.type = item.type, n.prefix = item.prefix, n.bucket = bucket, n.id = item.event_id,
                  n.created_at = datetime({epochMillis: item.at_ms}), n.read = false,
                  n.tweet_id = item.tweet_id, n.message_id = item.message_id
  MERGE (n)-[b:BY {member: item.member}]->(a)
    ON CREATE SET b.at = datetime({epochMillis: item.at_ms}), b.event_id = item.event_id, b.new = true
  WITH n, a, b, b.new IS NOT NULL AND item.event_id >= n.id AS newest
  REMOVE b.new
  SET n.id = CASE WHEN newest THEN b.event_id ELSE n.id END,
      n.created_at = CASE WHEN newest THEN b.at ELSE n.created_at END,
      n.read = CASE WHEN newest THEN false ELSE n.read END
  WITH n, a
  CALL (n) {
    MATCH (n)-[b:BY]->(a:User)
    WITH a, b ORDER BY b.at DESC, b.event_id DESC LIMIT 3
    RETURN collect(a {.id, .username, .display_name}) AS actors
  }
  RETURN n.id AS id, n.key AS group_key, n.recipient_id AS recipient_id, a {.id, .username, .display_name} AS actor,
         actors, COUNT { (n)-[:BY]->(:User) } AS count, toString(n.created_at) AS created_at, n.read AS read
}
RETURN item.event_id AS event_id, id, group_key, recipient_id, actor, actors, count, created_at, read
