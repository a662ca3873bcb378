// Who to follow: friends of friends, i.e. accounts followed by the people $user_id follows, never
// $user_id itself, an account it already follows, a suspended one, or one in $hidden (those it
// blocks, mutes or is blocked by: the visibility rule of docs/conversation.md).
//   common       how many of the user's followees follow the candidate;
//   adamic_adar  the sum over those followees of 1 / ln(degree), degree counting their FOLLOWS
//                both ways (as networkx's DiGraph.degree), so a followee with few ties counts more;
//   boost        1 + ln(1 + rank * users): PageRank (User.rank, summing to 1 over users, 0 until
//                the ranking job has run) relative to the average user's, damped by the log;
//   score        adamic_adar * boost; ties go to more common followees, then to the older account.
// via lists up to three of the shared followees, best ranked first, for the reason shown to users.
// In Neo4j Browser: :params {user_id: 1, limit: 10, hidden: []}
MATCH (everyone:User)
WITH count(everyone) AS users
MATCH (me:User {id: $user_id})-[:FOLLOWS]->(via:User)
WITH users, me, via, 1.0 / log(COUNT { (via)-[:FOLLOWS]-() }) AS weight
MATCH (via)-[:FOLLOWS]->(candidate:User)
WHERE candidate <> me
  AND NOT EXISTS { (me)-[:FOLLOWS]->(candidate) }
  AND NOT coalesce(candidate.suspended, false)
  AND NOT candidate.id IN $hidden
WITH users, candidate, via, weight
ORDER BY coalesce(via.rank, 0.0) DESC, via.username
WITH users, candidate, count(via) AS common, sum(weight) AS adamic_adar,
     collect(via.username)[..3] AS via
WITH candidate, common, adamic_adar, via, coalesce(candidate.rank, 0.0) AS rank,
     1.0 + log(1.0 + coalesce(candidate.rank, 0.0) * users) AS boost
RETURN candidate.id AS id, candidate.username AS username, common, adamic_adar, rank, boost,
       adamic_adar * boost AS score, via
ORDER BY score DESC, common DESC, id
LIMIT $limit
