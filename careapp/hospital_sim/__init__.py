"""careapp-hospital-sim: a stand-in hospital for demos, tests and integrators."""
