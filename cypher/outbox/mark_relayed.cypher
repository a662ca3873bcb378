MATCH (e:Event:Unrelayed)
WHERE e.id IN $ids
REMOVE e:Unrelayed
SET e.relayed_at = datetime()
RETURN count(e) AS marked
