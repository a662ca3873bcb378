// How deep the conversation under tweet $tweet_id goes, and how far the tweet reached.
//   replies       tweets that answer it, directly or further down the thread;
//   depth         the longest chain of replies under it (0 when nobody answered);
//   participants  distinct authors in the thread, its own author included;
//   boosters      users who boosted it (its author among them if they boosted it);
//   reach         distinct users it was sent to: the followers of its author and of its
//                 boosters, the author left out.
// Replies form a tree (a reply answers one tweet), so each reply is reached by one path only.
// A deleted tweet that had replies stays as a :DeletedTweet: no reply itself, but the chains
// through it count, so the replies under it keep their depth.
// In Neo4j Browser: :params {tweet_id: 1}
MATCH (author:User)-[:POSTED]->(root:Tweet {id: $tweet_id})
OPTIONAL MATCH path = (root)<-[:REPLY_TO]-+(reply:Tweet)
WITH author, root, count(reply) AS replies, coalesce(max(length(path)), 0) AS depth,
     collect(reply) AS thread
WITH author, root, replies, depth, thread,
     COLLECT { MATCH (booster:User)-[:BOOSTED]->(root) RETURN booster } AS boosters
RETURN root.id AS id, author.username AS author, replies, depth,
       size(COLLECT { UNWIND [root] + thread AS tweet
                      MATCH (writer:User)-[:POSTED]->(tweet)
                      RETURN DISTINCT writer }) AS participants,
       size(boosters) AS boosters,
       size(COLLECT { UNWIND [author] + boosters AS source
                      MATCH (reader:User)-[:FOLLOWS]->(source)
                      WHERE reader <> author
                      RETURN DISTINCT reader }) AS reach
