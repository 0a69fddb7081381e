"""API-call activities: the engine's own HTTP requests, with constants in URL, headers and body.

delivery.py builds and sends one request; runner.py claims due calls and records the outcome
outside any database transaction; api.py shows an admin the delivery state and starts the runner
with the app.
"""
