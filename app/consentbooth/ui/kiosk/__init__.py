"""The attendee-facing capture flow: full screen, large controls, 中文/English on every step."""
