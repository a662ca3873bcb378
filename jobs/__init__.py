"""Work off the request path: RQ job functions and the worker entry (`python -m jobs.worker`)."""
