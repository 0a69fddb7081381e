"""HTTP client for the regional backend: typed errors, region/environment endpoints."""
