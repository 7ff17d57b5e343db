"""ConsentBooth: PIPL-compliant lead capture for trade-show booths."""

__version__ = "0.1.0"
