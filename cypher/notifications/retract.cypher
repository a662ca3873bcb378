// Each unlike or unfollow of $items takes its actor out of the recipient's groups of its prefix
// (a like's recipient is its tweet's author); a group left empty is deleted.
UNWIND $items AS item
CALL (item) {
  OPTIONAL MATCH (author:User)-[:POSTED]->(:Tweet {id: item.tweet_id})
  WITH item, coalesce(item.recipient_id, author.id) AS recipient_id
  MATCH (n:Notification {recipient_id: recipient_id, prefix: item.prefix})-[b:BY {member: item.member}]->(:User)
  DELETE b
  WITH DISTINCT n
  WHERE NOT EXISTS { (n)-[:BY]->(:User) }
  DETACH DELETE n
  RETURN count(*) AS deleted
}
RETURN sum(deleted) AS deleted
