MATCH (n:Notification {recipient_id: $recipient_id, read: false})
RETURN count(n) AS unread
