// Adds each event of $items, in order, to its recipient's notification group, written behind the
// live frame that was pushed from the same group's state in Redis (cache/notification_groups.py):
// item.bucket is the hour bucket Redis chose (the recipient's latest group of that prefix if it
// started less than 12 hours before, as Mastodon 4.3 groups), so both show the same group. One node
// per group (docs/events.md): likes of one tweet (prefix 'like:<tweet>') and follows ('follow')
// gather; a message has a prefix of its own. Nobody is notified of their own act. Idempotent per
// event: a member (the actor of a like or follow, the event of a message) joins a group once, and
// only a new member moves the group up to its event's id and marks it unread.
UNWIND $items AS item
CALL (item) {
  MATCH (r:User {id: item.recipient_id}), (a:User {id: item.actor_id})
  WHERE r <> a
  MERGE (n:Notification {recipient_id: item.recipient_id, key: item.prefix + '@' + toString(item.bucket)})
    ON CREATE SET n.type = item.type, n.prefix = item.prefix, n.bucket = item.bucket, n.id = item.event_id,
                  n.created_at = datetime({epochMillis: item.at_ms}), n.read = false,
                  n.tweet_id = item.tweet_id, n.message_id = item.message_id
  MERGE (n)-[b:BY {member: item.member}]->(a)
    ON CREATE SET b.at = datetime({epochMillis: item.at_ms}), b.event_id = item.event_id, b.new = true
  WITH n, b, b.new IS NOT NULL AND item.event_id >= n.id AS newest
  REMOVE b.new
  SET n.id = CASE WHEN newest THEN b.event_id ELSE n.id END,
      n.created_at = CASE WHEN newest THEN b.at ELSE n.created_at END,
      n.read = CASE WHEN newest THEN false ELSE n.read END
  RETURN count(*) AS added
}
RETURN sum(added) AS added
