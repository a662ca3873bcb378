// Authors whose followers exceed the fan-out threshold: read-time merged, never fanned out.
MATCH (a:User)
WHERE COUNT { (a)<-[:FOLLOWS]-() } > $threshold
RETURN collect(a.id) AS ids
