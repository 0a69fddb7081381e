"""CareApp: enroll ward patients in care flows and hand them hosted pages links."""

__version__ = "0.1.0"
