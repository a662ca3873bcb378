"""Use cases of accounts: register, log in and out, sessions, API tokens, profiles."""
from __future__ import annotations

import hashlib
import secrets
from typing import Protocol

from domain import rules
from domain.clock import now_ms
from domain.errors import Forbidden, NotFound, RateLimited, Unauthenticated
from domain.ids import new_id
from domain.sessions import Session
from social import ports


class AccountPorts(Protocol):
    """What accounts use: users, passwords, sessions, tokens, and the cached author bodies a profile change refreshes."""

    users: ports.UserStore
    passwords: ports.PasswordHasher
    sessions: ports.SessionStore
    login_attempts: ports.LoginAttempts
    tokens: ports.TokenStore
    token_cache: ports.TokenCache
    tweet_cache: ports.TweetCache


def register(svc: AccountPorts, username: str, password: str, display_name: str | None) -> dict:
    rules.check_username(username)
    rules.check_password(password)
    name = rules.check_display_name(display_name) if display_name is not None else ""
    user_id = svc.users.create(
        id=new_id(),
        username=username,
        username_key=rules.username_key(username),
        display_name=name or username,
        password_hash=svc.passwords.hash(password),
        now_ms=now_ms(),
    )
    return svc.users.hydrate([user_id])[0]


def login(svc: AccountPorts, username: str, password: str, ip: str, user_agent: str) -> tuple[str, Session, dict]:
    """Returns the cookie secret, the session and the user; failures are counted per name and IP."""
    key = rules.username_key(username)[:64]
    wait = svc.login_attempts.blocked_for(key, ip)
    if wait:
        raise RateLimited(
            "too_many_login_attempts",
            "Too many failed logins for this account or address; retry later.",
            retry_after=wait,
        )
    creds = svc.users.credentials(key)
    if not svc.passwords.verify(creds["password_hash"] if creds else None, password):
        svc.login_attempts.record_failure(key, ip)
        raise Unauthenticated("invalid_credentials", "Wrong username or password.")
    if creds["suspended"]:
        raise Forbidden("account_suspended", "This account is suspended.")
    secret, session = svc.sessions.create(creds["id"], creds["username"], user_agent)
    return secret, session, svc.users.hydrate([creds["id"]], viewer_id=creds["id"])[0]


def logout(svc: AccountPorts, user_id: int, session_id: str) -> None:
    svc.sessions.revoke(user_id, session_id)


def revoke_session(svc: AccountPorts, user_id: int, session_id: str) -> None:
    if not svc.sessions.revoke(user_id, session_id):
        raise NotFound("session_not_found", "You have no session with that id.")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(svc: AccountPorts, user_id: int, name: str) -> dict:
    name = rules.check_token_name(name)
    token = "sgt_" + secrets.token_urlsafe(32)
    token_id = new_id()
    svc.tokens.create(user_id, token_id, name, _token_hash(token), now_ms())
    return {"id": str(token_id), "name": name, "token": token}


def revoke_token(svc: AccountPorts, user_id: int, token_id: int) -> None:
    token_hash = svc.tokens.delete(user_id, token_id)
    if token_hash is None:
        raise NotFound("token_not_found", "You have no token with that id.")
    svc.token_cache.forget(token_hash)


def token_owner(svc: AccountPorts, token: str) -> dict | None:
    """{user_id, username, token_id} for a live token, cached briefly in Redis."""
    token_hash = _token_hash(token)
    owner = svc.token_cache.get(token_hash)
    if owner is None:
        owner = svc.tokens.owner(token_hash)
        if owner is not None:
            svc.token_cache.put(token_hash, owner)
    return owner


def user_id_of(svc: AccountPorts, username: str) -> int:
    user_id = svc.users.id_by_username(rules.username_key(username)) if username else None
    if user_id is None:
        raise NotFound("user_not_found", f"No user is called {username!r}.")
    return user_id


def get_user(svc: AccountPorts, username: str, viewer_id: int | None) -> dict:
    return svc.users.hydrate([user_id_of(svc, username)], viewer_id)[0]


def update_profile(svc: AccountPorts, user_id: int, display_name: str | None, bio: str | None) -> dict:
    changes = {}
    if display_name is not None:
        changes["display_name"] = rules.check_display_name(display_name)
    if bio is not None:
        changes["bio"] = rules.check_bio(bio)
    if changes:
        svc.users.update_profile(user_id, changes)
        svc.tweet_cache.forget_user(user_id)
    return svc.users.hydrate([user_id], viewer_id=user_id)[0]
