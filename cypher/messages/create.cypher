// A direct message between two users; $conversation names the pair, whoever writes.
MATCH (s:User {id: $sender_id}), (r:User {id: $recipient_id})
CREATE (s)-[:SENT]->(m:Message {id: $id, conversation: $conversation, text: $text,
                                created_at: datetime({epochMillis: $now_ms})})-[:TO]->(r)
RETURN m.id AS id, s.username AS from, r.username AS to, m.text AS text, toString(m.created_at) AS created_at
