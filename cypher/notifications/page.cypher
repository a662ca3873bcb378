// A recipient's notification groups, newest (by their latest event) first.
MATCH (n:Notification)
WHERE n.recipient_id = $recipient_id AND n.id < $before_id
RETURN n.id AS id
ORDER BY n.id DESC
LIMIT $limit
