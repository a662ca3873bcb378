"""Every response the tests see is checked against the served OpenAPI document: a status the
operation does not declare, another content type, or a body outside its schema fails the test.
The integration tier's test client and the e2e tier's HTTP sessions both call `check`."""
from __future__ import annotations

import re

import jsonschema_rs
import orjson


class ContractViolation(AssertionError):
    pass


class OpenApiCheck:
    def __init__(self, document: dict):
        self.document = document
        templated = sorted(document["paths"], key=lambda p: (p.count("{"), p))  # /users/me before /users/{username}
        self.routes = [(re.compile("^" + re.sub(r"\{[a-z_]+\}", "[^/]+", p) + "$"), p) for p in templated]
        self.validators: dict[str, jsonschema_rs.Draft202012Validator] = {}

    def operation(self, method: str, path: str) -> tuple[str, dict] | None:
        for pattern, template in self.routes:
            if pattern.match(path):
                op = self.document["paths"][template].get(method.lower())
                return (template, op) if op is not None else None
        return None

    def _validator(self, schema: dict) -> jsonschema_rs.Draft202012Validator:
        key = orjson.dumps(schema, option=orjson.OPT_SORT_KEYS).decode()
        if key not in self.validators:
            self.validators[key] = jsonschema_rs.Draft202012Validator(
                {**schema, "components": self.document["components"]}
            )
        return self.validators[key]

    def check(self, method: str, path: str, status: int, content_type: str | None, read_body) -> None:
        """Raises ContractViolation when the response does not conform; routes outside the API
        (web client pages, unknown paths) are not checked. read_body() is called only for JSON and
        for answers without a body, so a stream is never read to its end."""
        found = self.operation(method, path)
        if found is None:
            return
        template, op = found
        where = f"{method.upper()} {path} ({template}) answered {status}"
        declared = op["responses"].get(str(status))
        if declared is None:
            media_type = (content_type or "").split(";")[0].strip()
            body = read_body() if media_type == "application/json" else b"(not read)"
            raise ContractViolation(f"{where}: the document declares no {status} here: {body[:300]!r}")
        content = declared.get("content")
        if not content:
            body = read_body()
            if body:
                raise ContractViolation(f"{where}: a body where the document declares none: {body[:300]!r}")
            return
        media_type = (content_type or "").split(";")[0].strip()
        if media_type not in content:
            raise ContractViolation(f"{where}: Content-Type {content_type!r}, the document says {sorted(content)}")
        if media_type != "application/json":
            return
        body = read_body()
        try:
            instance = orjson.loads(body)
        except orjson.JSONDecodeError as err:
            raise ContractViolation(f"{where}: not JSON ({err}): {body[:300]!r}") from None
        errors = [f"{'/'.join(map(str, e.instance_path)) or '(root)'}: {e.message}"
                  for e in self._validator(content[media_type]["schema"]).iter_errors(instance)]
        if errors:
            raise ContractViolation(f"{where}: the body does not match its schema: {errors[:5]}; body {body[:500]!r}")
