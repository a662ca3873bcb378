// Who amplifies whom: one row per booster and author, for the boosts of the last $hours hours
// (self-boosts left out).
//   boosts     how many of the author's tweets the booster boosted;
//   share      boosts / every boost the author received from others in the window;
//   new_reach  the booster's followers who do not follow the author (the author left out):
//              the audience those boosts opened to the author.
// In Neo4j Browser: :params {hours: 168, limit: 20}
WITH datetime() - duration({hours: $hours}) AS since
MATCH (booster:User)-[boost:BOOSTED]->(:Tweet)<-[:POSTED]-(author:User)
WHERE booster <> author AND boost.created_at >= since
WITH since, booster, author, count(boost) AS boosts
WITH booster, author, boosts,
     COUNT { (other:User)-[b:BOOSTED]->(:Tweet)<-[:POSTED]-(author)
             WHERE other <> author AND b.created_at >= since } AS received
RETURN booster.id AS booster_id, booster.username AS booster, author.id AS author_id,
       author.username AS author, boosts, toFloat(boosts) / received AS share,
       COUNT { (reader:User)-[:FOLLOWS]->(booster)
               WHERE reader <> author AND NOT EXISTS { (reader)-[:FOLLOWS]->(author) } } AS new_reach
ORDER BY boosts DESC, new_reach DESC, booster, author
LIMIT $limit
