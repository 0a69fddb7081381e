"""HTTP routers under /v1, one module per resource."""
