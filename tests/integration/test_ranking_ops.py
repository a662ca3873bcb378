"""Ranking operations: `flask ranking refresh`, and PageRank run at once when ranks are missing."""
import pytest

from jobs import ranking as ranking_jobs
from jobs import schedule
from ranking import refresh


@pytest.fixture(scope="module")
def cli(services):
    from web.app import create_app
    from web.cli import register_commands

    cli_app = create_app(services=services)
    register_commands(cli_app)
    return cli_app.test_cli_runner()


def ranks(services) -> dict[int, float | None]:
    return {r["id"]: r["rank"] for r in services.graph.driver.execute_query(
        "MATCH (u:User) RETURN u.id AS id, u.rank AS rank", result_transformer_=lambda res: res.data()
    )}


def forget_ranks(services, ids: list[int] | None = None) -> None:
    services.driver.execute_query(
        "MATCH (u:User) WHERE $ids IS NULL OR u.id IN $ids REMOVE u.rank", ids=ids
    )


def test_ranking_refresh_pagerank_ranks_every_user(cli, services, make_user):
    a, b = make_user(), make_user()
    a.post(f"/api/v1/users/{b.username}/follow")
    forget_ranks(services, [int(a.id), int(b.id)])
    result = cli.invoke(args=["ranking", "refresh", "pagerank"])
    assert result.exit_code == 0, result.output
    [line] = result.output.splitlines()
    assert line.startswith("pagerank: ") and " users, " in line and " follows " in line
    stored = ranks(services)
    assert None not in stored.values()
    assert stored[int(b.id)] > stored[int(a.id)]
    assert int(line.split()[1]) == len(stored)


def test_ranking_refresh_popular_replaces_the_top_k(cli, services, make_user):
    author, fan = make_user(), make_user()
    tweet = author.tweet("refreshed from the shell")
    fan.post(f"/api/v1/tweets/{tweet['id']}/like")
    services.redis.delete("popular:global")
    result = cli.invoke(args=["ranking", "refresh", "popular"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("popular: ") and "pagerank" not in result.output
    assert services.redis.zscore("popular:global", int(tweet["id"])) is not None


def test_ranking_refresh_does_both_by_default_and_refuses_other_targets(cli, services):
    both = cli.invoke(args=["ranking", "refresh"])
    assert both.exit_code == 0, both.output
    assert [line.split(":")[0] for line in both.output.splitlines()] == ["pagerank", "popular"]
    assert cli.invoke(args=["ranking", "refresh", "all"]).output.count(":") >= 2
    refused = cli.invoke(args=["ranking", "refresh", "everything"])
    assert refused.exit_code == 2 and "pagerank" in refused.output


def test_pagerank_runs_at_once_when_most_users_have_no_rank_and_not_otherwise(services, make_user):
    a, b = make_user(), make_user()
    a.post(f"/api/v1/users/{b.username}/follow")
    refresh.refresh_pagerank(services)
    assert not refresh.ranks_missing(services)
    assert ranking_jobs.refresh_pagerank_if_missing() is None

    forget_ranks(services)  # a new graph, or one loaded in bulk since the last run
    assert refresh.ranks_missing(services)
    stats = ranking_jobs.refresh_pagerank_if_missing()
    assert stats is not None and stats["users"] == len(ranks(services))
    assert None not in ranks(services).values()
    assert not refresh.ranks_missing(services)


def test_the_schedule_checks_for_missing_ranks_at_start_and_every_minute_and_ranks_every_ten(services):
    r = services.rq_redis
    for func, _, _, _ in schedule.SCHEDULE:
        r.delete(schedule._next_key(func))
    queues = schedule.queues_for(r)
    try:
        at_start = schedule.tick(r, queues, 1000.0)
        a_minute_on = schedule.tick(r, queues, 1060.0)
        ten_minutes_on = schedule.tick(r, queues, 1600.0)
    finally:
        for queue in queues.values():
            queue.empty()
    assert at_start[:2] == ["refresh_pagerank", "refresh_pagerank_if_missing"]  # the check runs second
    assert "refresh_pagerank_if_missing" in a_minute_on and "refresh_pagerank" not in a_minute_on
    assert "refresh_pagerank" in ten_minutes_on
