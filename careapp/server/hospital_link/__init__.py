"""The hospital link: results out as HL7 v2.5.1 ORU^R01 over MLLP or as FHIR R4, and ADT in.

``install`` subscribes the result outbox to the engine's events; ``api`` holds the routes and
starts the result sender (and the ADT listener) with the app.
"""

from careapp.server.hospital_link.outbox import install

__all__ = ["install"]
