"""What the API answers: the response models of the contract's objects, and `@responds`, by which a
view declares its answers. The OpenAPI document (web.openapi) is generated from these declarations,
and the test clients validate every response against that document, so a model is the one place
an object's shape is written down. Views still return the plain dicts the use cases build: the
models describe them, they are not built on the request path.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

Id = Field(pattern=r"^[1-9][0-9]{0,18}$", description="A positive 64-bit integer as a decimal string.")
Timestamp = Field(description="ISO 8601 date and time, UTC.")


class Out(BaseModel):
    """A response object: every field is documented, so an undocumented one fails the tests."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")  # details such as field, limit, length, retry_after

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="A stable snake_case code to act on.")
    message: str = Field(description="A human sentence.")


class Error(Out):
    error: ErrorDetail


# --- users ---------------------------------------------------------------------------------------

class UserRef(Out):
    """Who wrote, liked or did something: the user in brief."""

    id: str = Id
    username: str
    display_name: str | None


class User(Out):
    id: str = Id
    username: str
    display_name: str | None
    bio: str | None
    created_at: str = Timestamp
    followers_count: int = Field(ge=0)
    following_count: int = Field(ge=0)
    tweets_count: int = Field(ge=0)
    following: bool | None = Field(None, description="Whether the viewer follows this user (signed in only).")
    followed_by: bool | None = Field(None, description="Whether this user follows the viewer (signed in only).")


class UserBody(Out):
    user: User


class Me(Out):
    user: User
    roles: list[str]


class Following(Out):
    following: bool


# --- tweets --------------------------------------------------------------------------------------

class ReplyTarget(Out):
    id: str = Id
    author: UserRef | None = None


class Entities(Out):
    mentions: list[str] = Field(description="Mentioned usernames.")
    hashtags: list[str] = Field(description="Hashtags, case-folded, without '#'.")


class MediaError(Out):
    code: str = Field(description="media_unreadable, media_too_large or media_type_mismatch.")
    message: str | None


class Media(Out):
    """An uploaded file (v1.1). In a tweet only what showing it needs; from /media also the upload's
    progress (docs/media.md)."""

    id: str = Id
    state: Literal["uploading", "processing", "ready", "failed"]
    type: Literal["image", "audio", "video"] | None = Field(None, description="Told by the content once finalized.")
    mime: str | None = Field(None, description="The content's type, as the file is served.")
    url: str | None = Field(None, description="The processed file (ready only); accepts Range requests.")
    preview_url: str | None = Field(None, description="An image's WebP preview, at most 640 px.")
    width: int | None = Field(None, ge=1)
    height: int | None = Field(None, ge=1)
    duration_ms: int | None = Field(None, ge=0)
    peaks: list[int] | None = Field(None, description="Audio: 100 bars of the waveform, 0 to 100.")
    total_bytes: int | None = Field(None, ge=1)
    chunk_size: int | None = Field(None, ge=1)
    received_bytes: int | None = Field(None, ge=0)
    missing_chunks: list[int] | None = Field(None, description="Chunk indexes not received yet.")
    expires_at: str | None = Field(None, description="An upload not finalized by then is deleted.")
    progress: float | None = Field(None, ge=0, le=1, description="Live `media` events while processing.")
    error: MediaError | None = Field(None, description="Why it failed.")


class MediaBody(Out):
    media: Media


class Tweet(Out):
    id: str = Id
    text: str
    created_at: str = Timestamp
    author: UserRef
    like_count: int = Field(ge=0)
    liked: bool = Field(description="Whether the viewer likes it (false when signed out).")
    in_reply_to: ReplyTarget | None = Field(None, description="v1.1: the tweet this one answers.")
    reply_count: int | None = Field(None, ge=0, description="v1.1")
    boost_count: int | None = Field(None, ge=0, description="v1.1")
    boosted: bool | None = Field(None, description="v1.1: whether the viewer boosted it.")
    bookmarked: bool | None = Field(None, description="v1.1: whether the viewer bookmarked it.")
    boosted_by: UserRef | None = Field(None, description="v1.1, home feed only: who passed it on.")
    entities: Entities | None = Field(None, description="v1.1")
    media: list[Media] | None = Field(None, description="v1.1")


class TweetBody(Out):
    tweet: Tweet


class Liked(Out):
    liked: bool
    like_count: int = Field(ge=0)


class TweetList(Out):
    tweets: list[Tweet]


# --- pages ---------------------------------------------------------------------------------------

class Page(Out):
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


def page_of(items: str, model: type[BaseModel], name: str | None = None, **extra) -> type[Page]:
    """The page model `{items: [model], next_cursor}` (plus extra fields, as create_model takes them)."""
    name = name or f"{model.__name__}Page"
    return create_model(name, __base__=Page, **{items: (list[model], ...)}, **extra)


UserPage = page_of("users", User)
TweetPage = page_of("tweets", Tweet)
HomePage = page_of("tweets", Tweet, "HomePage", popular=(list[Tweet], Field(description="The network's top k.")))


# --- notifications and messages --------------------------------------------------------------------

class Message(Out):
    id: str = Id
    from_: str = Field(alias="from", description="The sender's username.")
    to: str = Field(description="The recipient's username.")
    text: str
    created_at: str = Timestamp


class MessageBody(Out):
    message: Message


MessagePage = page_of("messages", Message)


class Notification(Out):
    id: str = Id
    type: Literal["like", "follow", "message", "mention", "reply", "boost"]
    group_key: str = Field(description="Likes of one tweet and follows are grouped under one key.")
    actor: UserRef = Field(description="The latest actor.")
    actors: list[UserRef] = Field(description="The latest few actors, newest first.")
    count: int = Field(ge=1, description="How many actors the group has.")
    created_at: str = Timestamp
    read: bool
    tweet: Tweet | None = None
    message: Message | None = None


NotificationPage = page_of("notifications", Notification, unread_count=(int, Field(ge=0)))


# --- auth ----------------------------------------------------------------------------------------

class SessionRef(Out):
    id: str
    expires_at: str = Timestamp


class LoggedIn(Out):
    user: User
    csrf_token: str = Field(description="Send as X-CSRF-Token with every cookie-authenticated write.")
    session: SessionRef


class Session(Out):
    id: str
    created_at: str = Timestamp
    last_seen_at: str = Timestamp
    expires_at: str = Timestamp
    user_agent: str
    current: bool


class SessionList(Out):
    sessions: list[Session]


class Token(Out):
    id: str = Id
    name: str
    created_at: str | None = Field(None, description="ISO 8601 date and time, UTC (not in the answer that creates it).")
    scopes: list[Literal["read", "write", "admin"]] | None = None
    expires_at: str | None = None


class NewTokenSecret(Token):
    token: str = Field(description="The secret, shown only here: send it as `Authorization: Bearer ...`.")


class TokenList(Out):
    tokens: list[Token]


# --- feeds and recommendations -------------------------------------------------------------------

class Recommendation(Out):
    user: User
    score: float
    reason: str


class Recommendations(Out):
    users: list[Recommendation]


# --- administration ------------------------------------------------------------------------------

class AdminUser(Out):
    user: User
    roles: list[str] = Field(description="Roles held directly (what PUT .../roles sets).")
    groups: list[str]
    effective_roles: list[str]
    permissions: list[str]
    suspended: bool


class Group(Out):
    name: str
    roles: list[str]
    members_count: int = Field(ge=0)


class GroupBody(Out):
    group: Group


class GroupList(Out):
    groups: list[Group]


class AuditEntry(Out):
    id: str = Id
    actor: str | None
    action: str
    target: str | None
    details: dict | None = None
    created_at: str = Timestamp


AuditPage = page_of("entries", AuditEntry)


# --- operations ----------------------------------------------------------------------------------

class Status(Out):
    status: str


# --- the declaration -----------------------------------------------------------------------------

def responds(model: type[BaseModel] | None, status: int = 200, *, errors: tuple[int, ...] = (),
             media_type: str = "application/json"):
    """Declares one answer of a view: its status and body model (None: no body, as 204 has), and the
    route-specific error statuses (404 of a path parameter, 401/403 of a policy, 400/413/415 of a
    body or query and 429/503 are added by web.openapi from the other declarations)."""

    def decorate(view):
        view.responses = {**getattr(view, "responses", {}), status: (model, media_type)}
        view.errors = tuple(sorted({*getattr(view, "errors", ()), *errors}))
        return view

    return decorate
