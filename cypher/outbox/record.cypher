// The outbox: events recorded in the transaction of the writes they describe (graph/outbox.py),
// $events [{id, type, payload, created_at}]. The relay moves each to its Redis stream, then takes
// the :Unrelayed label off. The batched writes (tweets/like, follows/follow, ...) record theirs
// themselves, from each item's `events`, in the same statement.
UNWIND $events AS e
CREATE (event:Event:Unrelayed)
SET event = e
