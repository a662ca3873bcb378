// Every group of each prefix of $items for its recipient, such as the likes of a deleted tweet.
UNWIND $items AS item
MATCH (n:Notification {recipient_id: item.recipient_id, prefix: item.prefix})
DETACH DELETE n
RETURN count(*) AS deleted
