"""HTTP only: the app factory, blueprints per resource, request parsing and error JSON."""
