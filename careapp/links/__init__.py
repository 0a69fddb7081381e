"""QR rendering and handout layout for hosted pages links."""
