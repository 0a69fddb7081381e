"""Links and QR codes on the desktop: session and static link QR codes, handouts, the poster.

The main window and the patient detail panel use them through
``careapp.ui.links.actions.LinkActions``.
"""
