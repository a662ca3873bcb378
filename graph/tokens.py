"""API bearer tokens: durable in the graph, looked up by the hash of the token."""
from __future__ import annotations

from domain.ids import public
from graph.driver import Graph


class TokenRepository:
    def __init__(self, graph: Graph):
        self.graph = graph

    def create(self, user_id: int, token_id: int, name: str, token_hash: str, now_ms: int, scopes: list[str],
               expires_ms: int | None) -> None:
        self.graph.write(
            "tokens/create", user_id=user_id, id=token_id, name=name, hash=token_hash, now_ms=now_ms,
            scopes=scopes, expires_ms=expires_ms,
        )

    def owner(self, token_hash: str) -> dict | None:
        return self.graph.read_one("tokens/owner", hash=token_hash)

    def list(self, user_id: int) -> list[dict]:
        return [public(r) for r in self.graph.read("tokens/list", user_id=user_id)]

    def delete(self, user_id: int, token_id: int) -> str | None:
        row = self.graph.write_one("tokens/delete", user_id=user_id, id=token_id)
        return row["hash"] if row else None

    def delete_all(self, user_id: int) -> list[str]:
        """Revokes every token of the user; returns their hashes."""
        return [r["hash"] for r in self.graph.write("tokens/delete_all", user_id=user_id)]
