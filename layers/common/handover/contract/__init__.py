"""The public API's bodies, one module per family of routes."""
