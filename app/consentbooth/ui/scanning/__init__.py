"""Scan to consent in the GUI (issue #13): the keyboard-wedge filter every capture screen uses,
the camera scan view and the business-card review. The camera (Qt Multimedia) and the OCR engine
load only when a person first opens them, never at start-up."""
