// One page of a conversation, newest first.
MATCH (m:Message)
WHERE m.conversation = $conversation AND m.id < $before_id
RETURN m.id AS id
ORDER BY m.id DESC
LIMIT $limit
