// Marks read every unread group whose id (its latest event) is at most $up_to.
MATCH (n:Notification {recipient_id: $recipient_id, read: false})
WHERE n.id <= $up_to
SET n.read = true
RETURN count(n) AS marked
