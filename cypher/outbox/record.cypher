// The outbox: events recorded in the transaction of the writes they describe (graph/outbox.py),
// $events [{id, type, payload, at_ms}]. The relay moves each to its Redis stream, then takes the
// :Unrelayed label off.
UNWIND $events AS e
CREATE (:Event:Unrelayed {id: e.id, type: e.type, payload: e.payload, created_at: datetime({epochMillis: e.at_ms})})
