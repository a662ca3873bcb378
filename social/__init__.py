"""Use cases of the service and the domain rules they keep."""
