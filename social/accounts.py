"""Use cases of accounts: register, log in and out, sessions, API tokens, profiles."""
from __future__ import annotations

import hashlib
import logging
import secrets
import time
from typing import Protocol

from cache.client import REDIS_DOWN
from domain import credentials, rules
from domain.clock import now_ms
from domain.errors import Forbidden, NotFound, RateLimited, Unauthenticated
from domain.ids import new_id
from domain.sessions import Session
from social import ports, security_log, visibility

log = logging.getLogger(__name__)


class AccountPorts(visibility.VisibilityPorts, Protocol):
    """What accounts use: users, passwords, sessions, tokens, the cached author bodies a profile
    change refreshes, and the read models a new user starts with."""

    users: ports.UserStore
    passwords: ports.PasswordHasher
    sessions: ports.SessionStore
    login_attempts: ports.LoginAttempts
    tokens: ports.TokenStore
    token_cache: ports.TokenCache
    tweet_cache: ports.TweetCache
    revocations: ports.Revocations
    profiles: ports.ProfileCache


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
    user = svc.users.hydrate([user_id])[0]
    try:  # what the new user's first acts and their notifications read, so none reads the graph
        svc.tweet_cache.put_new_user(user)
        visibility.load_new_user(svc, user_id)
    except REDIS_DOWN as err:  # registered is registered: these are read from Neo4j when needed
        log.warning("user %s registered; their read models wait for their first read: %s", user_id, err)
    return user


def login(svc: AccountPorts, username: str, password: str, ip: str, user_agent: str) -> tuple[str, Session, dict]:
    """Returns the cookie secret, the session and the user. Failures block this address (for this
    account, and over all accounts); for the account itself they only slow logins down."""
    key = rules.username_key(username)[:64]
    client = credentials.client_key(ip)
    _check_attempts(svc, key, client, username)
    creds = svc.users.credentials(key)
    if not svc.passwords.verify(creds["password_hash"] if creds else None, password):
        _failed(svc, key, client, username, "login.failed")
        raise Unauthenticated("invalid_credentials", "Wrong username or password.")
    if creds["suspended"]:
        security_log.event("login.refused", reason="account_suspended", user_id=creds["id"], client=client)
        raise Forbidden("account_suspended", "This account is suspended.")
    svc.login_attempts.record_success(key, client)
    secret, session = svc.sessions.create(creds["id"], creds["username"], user_agent)
    security_log.event("login.succeeded", user_id=creds["id"], username=creds["username"], client=client)
    return secret, session, svc.users.hydrate([creds["id"]], viewer_id=creds["id"])[0]


def _check_attempts(svc: AccountPorts, key: str, client: str, username: str) -> None:
    wait, account_failures = svc.login_attempts.check(key, client)
    if wait:
        security_log.event("login.blocked", username=username[:64], client=client, retry_after=wait)
        raise RateLimited(
            "too_many_login_attempts",
            "Too many failed logins from this address; retry later.",
            retry_after=wait,
        )
    delay = credentials.login_delay_seconds(account_failures)
    if delay:
        time.sleep(delay)  # a greenlet's pause under gevent: it slows the guesser, it holds no worker


def _failed(svc: AccountPorts, key: str, client: str, username: str, what: str) -> None:
    locked = svc.login_attempts.record_failure(key, client)
    security_log.event(what, username=username[:64], client=client)
    if locked:
        security_log.event("login.lockout", username=username[:64], client=client)


def logout(svc: AccountPorts, user_id: int, session_id: str) -> None:
    svc.sessions.revoke(user_id, session_id)
    _ended(svc, user_id, [session_id], [], "logout")


def revoke_session(svc: AccountPorts, user_id: int, session_id: str) -> None:
    if not svc.sessions.revoke(user_id, session_id):
        raise NotFound("session_not_found", "You have no session with that id.")
    _ended(svc, user_id, [session_id], [], "revoked")


def _ended(svc: AccountPorts, user_id: int, session_ids: list[str], token_ids: list, reason: str) -> None:
    """Tells every web worker to close the live connections of these credentials, and logs it."""
    svc.revocations.announce(
        user_id,
        [credentials.session_credential(s) for s in session_ids] + [credentials.token_credential(t) for t in token_ids],
    )
    if session_ids:
        security_log.event("session.revoked", user_id=user_id, count=len(session_ids), reason=reason)
    if token_ids:
        security_log.event("token.revoked", user_id=user_id, token_ids=[str(t) for t in token_ids], reason=reason)


def end_all_access(svc: AccountPorts, user_id: int, reason: str) -> None:
    """Every session and token of the user ends now (suspension), and their live connections with them."""
    svc.sessions.revoke_all(user_id)
    svc.token_cache.forget(*svc.tokens.delete_all(user_id))
    svc.revocations.announce(user_id, None)
    security_log.event("access.revoked", user_id=user_id, reason=reason)


def change_password(svc: AccountPorts, user_id: int, username: str, session_id: str, current: str, new: str,
                    ip: str) -> None:
    """Every other session and every token of the user ends; this session goes on. A wrong current
    password counts as a failed login from this address."""
    key = rules.username_key(username)[:64]
    client = credentials.client_key(ip)
    _check_attempts(svc, key, client, username)
    creds = svc.users.credentials(key)
    if creds is None or creds["id"] != user_id or not svc.passwords.verify(creds["password_hash"], current):
        _failed(svc, key, client, username, "password.change_failed")
        raise Forbidden("invalid_credentials", "The current password is wrong.", field="current_password")
    rules.check_password(new)
    tokens = svc.users.set_password(user_id, svc.passwords.hash(new))
    svc.token_cache.forget(*(t["hash"] for t in tokens))
    sessions = svc.sessions.revoke_all(user_id, keep=session_id)
    security_log.event("password.changed", user_id=user_id, client=client)
    _ended(svc, user_id, sessions, [t["id"] for t in tokens], "password_changed")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(svc: AccountPorts, user_id: int, name: str, scopes: list | None = None,
                 expires_in: int | None = None) -> dict:
    name = rules.check_token_name(name)
    scopes = credentials.check_scopes(scopes)
    expires_in = credentials.check_expires_in(expires_in)
    token = "sgt_" + secrets.token_urlsafe(32)
    token_id = new_id()
    now = now_ms()
    expires_ms = now + expires_in * 1000 if expires_in else None
    svc.tokens.create(user_id, token_id, name, _token_hash(token), now, list(scopes), expires_ms)
    security_log.event("token.created", user_id=user_id, token_id=str(token_id), scopes=list(scopes),
                       expires_in=expires_in)
    return {"id": str(token_id), "name": name, "token": token, "scopes": list(scopes),
            "expires_at": expires_ms}


def revoke_token(svc: AccountPorts, user_id: int, token_id: int) -> None:
    token_hash = svc.tokens.delete(user_id, token_id)
    if token_hash is None:
        raise NotFound("token_not_found", "You have no token with that id.")
    svc.token_cache.forget(token_hash)
    _ended(svc, user_id, [], [token_id], "revoked")


def token_owner(svc: AccountPorts, token: str) -> dict | None:
    """{user_id, username, token_id, scopes, expires_at} for a live token, cached briefly in Redis."""
    return token_owner_by_hash(svc, _token_hash(token))


def token_hash_of(token: str) -> str:
    return _token_hash(token)


def token_owner_by_hash(svc: AccountPorts, token_hash: str, cached: dict | None = None) -> dict | None:
    """cached: what the request already read of the token cache (cache/principals.py)."""
    owner = cached if cached is not None else svc.token_cache.get(token_hash)
    if owner is None:
        owner = svc.tokens.owner(token_hash)
        if owner is None:
            return None
        svc.token_cache.put(token_hash, owner)
    if owner.get("expires_at") and owner["expires_at"] <= now_ms():
        return None
    return owner


def user_id_of(svc: AccountPorts, username: str) -> int:
    user_id = svc.users.id_by_username(rules.username_key(username)) if username else None
    if user_id is None:
        raise NotFound("user_not_found", f"No user is called {username!r}.")
    return user_id


def update_profile(svc: AccountPorts, user_id: int, display_name: str | None, bio: str | None) -> dict:
    changes = {}
    if display_name is not None:
        changes["display_name"] = rules.check_display_name(display_name)
    if bio is not None:
        changes["bio"] = rules.check_bio(bio)
    if changes:
        svc.users.update_profile(user_id, changes)
        svc.tweet_cache.forget_user(user_id)
        svc.profiles.forget(user_id)
    return svc.users.hydrate([user_id], viewer_id=user_id)[0]
