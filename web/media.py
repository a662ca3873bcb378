"""Media endpoints: the resumable chunked upload under /api/v1/media, and the processed files
under /media/{id}/{name}, served with byte ranges and cached for good (their names are digests)."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user

from domain.errors import NotFound, PayloadTooLarge, RangeNotSatisfiable
from domain.media import parse_range
from social import media
from web.context import services as svc
from web.errors import error_response
from web.inputs import Body, accepts, path_id, takes
from web.outputs import MediaBody, responds
from web.policy import PUBLIC, SIGNED_IN, allow
from web.presenters import no_content

bp = Blueprint("media", __name__, url_prefix="/api/v1/media")
files = Blueprint("media_files", __name__)  # outside the API document, like static files
READ_BLOCK = 64 * 1024
IMMUTABLE = "public, max-age=31536000, immutable"


class NewUpload(Body):
    media_type: str  # image or audio
    total_bytes: int


def _media_id(value: str) -> int:
    return path_id(value, NotFound("media_not_found", "No such media."))


@bp.post("")
@allow(SIGNED_IN, rate="media_uploads")
@responds(MediaBody, 201, errors=(413, 422))
@takes(NewUpload)
def start(body: NewUpload):
    """Start a resumable upload of an image or an audio file of total_bytes."""
    return jsonify({"media": media.start_upload(svc(), current_user.user_id, body.media_type, body.total_bytes)}), 201


def _request_blocks(stream):
    """The body as it arrives (the stream itself, not the request proxy: a store may read it from
    another thread)."""
    while block := stream.read(READ_BLOCK):
        yield block


@bp.put("/<media_id>/chunks/<index>")
@allow(SIGNED_IN, rate="media_chunks")
@responds(None, 204, errors=(400, 409, 413, 422))
@accepts("application/octet-stream")
def put_chunk(media_id: str, index: str):
    """Upload chunk `index` (from 0) of an upload: the raw bytes, application/octet-stream."""
    chunk_size = svc().media_chunk_size
    if (request.content_length or 0) > chunk_size:
        raise PayloadTooLarge("chunk_too_large", f"A chunk may have at most {chunk_size} bytes.", limit=chunk_size)
    request.max_content_length = chunk_size + 1  # the use case refuses the byte past chunk_size
    if not index.isascii() or not index.isdigit() or len(index) > 6:
        raise NotFound("chunk_not_found", "Chunk indexes are whole numbers from 0.")
    media.put_chunk(svc(), current_user.user_id, _media_id(media_id), int(index), _request_blocks(request.stream))
    return no_content()


@bp.get("/<media_id>")
@allow(SIGNED_IN)
@responds(MediaBody)
def get(media_id: str):
    """An upload's state: what is missing while uploading, the files once ready."""
    return jsonify({"media": media.get_media(svc(), current_user.user_id, _media_id(media_id))})


@bp.post("/<media_id>/finalize")
@allow(SIGNED_IN)
@responds(MediaBody, 202, errors=(409, 422))
def finalize(media_id: str):
    """Finish an upload whose chunks have all arrived: processing starts (202), reported on /stream."""
    return jsonify({"media": media.finalize(svc(), current_user.user_id, _media_id(media_id))}), 202


def _body(key: str, first: int, last: int):
    """A local file goes out through the server's own file wrapper where it has one (gunicorn sends
    Content-Length bytes from the file's offset with sendfile); otherwise the store's blocks."""
    wrapper = request.environ.get("wsgi.file_wrapper")
    path = svc().blobs.local_path(key) if wrapper else None
    if path is None:
        return svc().blobs.read(key, first, last)
    f = open(path, "rb")
    f.seek(first)
    return wrapper(f, READ_BLOCK * 4)


@files.get("/media/<media_id>/<file_name>")
@allow(PUBLIC)
def file(media_id: str, file_name: str):
    """A processed file or its preview; Range requests get 206 (416 when unsatisfiable)."""
    found = media.served_file(svc(), _media_id(media_id), file_name)
    etag = f'"{file_name.split(".")[0]}"'
    headers = {
        "Accept-Ranges": "bytes", "ETag": etag, "Cache-Control": IMMUTABLE,
        "X-Content-Type-Options": "nosniff",
    }
    if etag in request.headers.get("If-None-Match", ""):
        return Response(status=304, headers=headers)
    size = found["size"]
    if_range = request.headers.get("If-Range")
    try:
        wanted = parse_range(request.headers.get("Range"), size) if if_range in (None, etag) else None
    except RangeNotSatisfiable as err:
        refused = error_response(err)
        refused.headers.update(headers)
        refused.headers["Content-Range"] = f"bytes */{size}"
        return refused
    first, last = wanted or (0, size - 1)
    body = _body(found["key"], first, last)
    response = Response(body, status=206 if wanted else 200, mimetype=found["mime"], headers=headers,
                        direct_passthrough=True)
    response.content_length = last - first + 1
    if wanted:
        response.headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    return response
