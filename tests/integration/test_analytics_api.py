"""The analytics queries read the graph as the API writes it: replies, boosts, follows and tags
made through the endpoints, not by hand."""
import secrets


def test_conversation_amplifiers_and_tags_over_what_the_api_wrote(services, make_user):
    author, replier, answerer, booster, fan, reader = (make_user() for _ in range(6))
    fan.post(f"/api/v1/users/{author.username}/follow")
    reader.post(f"/api/v1/users/{booster.username}/follow")
    tag, other = "an" + secrets.token_hex(4), "an" + secrets.token_hex(4)
    root = author.tweet(f"Where do threads end? #{tag} #{other}")
    reply = replier.post("/api/v1/tweets", json={"text": "Here", "in_reply_to_id": root["id"]}).get_json()["tweet"]
    deeper = answerer.post("/api/v1/tweets", json={"text": "No, here", "in_reply_to_id": reply["id"]})
    assert deeper.status_code == 201, deeper.get_json()
    assert booster.post(f"/api/v1/tweets/{root['id']}/boost").get_json()["boosted"] is True

    [row] = services.graph.read("analytics/conversation", tweet_id=int(root["id"]))
    assert (row["replies"], row["depth"], row["participants"], row["boosters"], row["reach"]) == (2, 2, 3, 1, 2)

    pairs = [r for r in services.graph.read("analytics/amplifiers", hours=1, limit=10_000)
             if r["booster_id"] == int(booster.id)]
    assert [(r["author_id"], r["boosts"], r["share"], r["new_reach"]) for r in pairs] == [(int(author.id), 1, 1.0, 1)]

    together = [r for r in services.graph.read("analytics/tag_cooccurrence", hours=1, limit=10_000)
                if {r["tag"], r["other"]} == {tag, other}]
    assert [(r["together"], r["jaccard"]) for r in together] == [(1, 1.0)]
