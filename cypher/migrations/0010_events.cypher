// The outbox (graph/outbox.py), notifications and direct messages (docs/events.md).
CREATE CONSTRAINT event_id IF NOT EXISTS FOR (e:Event) REQUIRE e.id IS UNIQUE;
CREATE INDEX event_relayed_at IF NOT EXISTS FOR (e:Event) ON (e.relayed_at);
CREATE INDEX event_unrelayed_created_at IF NOT EXISTS FOR (e:Unrelayed) ON (e.created_at);
CREATE CONSTRAINT notification_id IF NOT EXISTS FOR (n:Notification) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT notification_group IF NOT EXISTS FOR (n:Notification) REQUIRE (n.recipient_id, n.key) IS UNIQUE;
CREATE INDEX notification_recipient_prefix IF NOT EXISTS FOR (n:Notification) ON (n.recipient_id, n.prefix);
CREATE INDEX notification_recipient_id IF NOT EXISTS FOR (n:Notification) ON (n.recipient_id, n.id);
CREATE INDEX notification_recipient_read IF NOT EXISTS FOR (n:Notification) ON (n.recipient_id, n.read);
CREATE CONSTRAINT message_id IF NOT EXISTS FOR (m:Message) REQUIRE m.id IS UNIQUE;
CREATE INDEX message_conversation_id IF NOT EXISTS FOR (m:Message) ON (m.conversation, m.id);
