// The outbox: an event recorded in the transaction of the write it describes (graph/outbox.py).
// The relay moves it to its Redis stream, then takes the :Unrelayed label off.
CREATE (:Event:Unrelayed {id: $id, type: $type, payload: $payload, created_at: datetime({epochMillis: $at_ms})})
