"""The backend's operations, one module per area. Routers stay thin; rules live here."""
