"""FastAPI application: thin routers that validate, call a service and return."""
