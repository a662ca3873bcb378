UNWIND $rows AS row
MATCH (u:User {id: row[0]})
SET u.rank = row[1]
