"""KRX Alertor: a Git-as-database artifact pipeline for a systematic KRX strategy."""

__version__ = "0.1.0"
