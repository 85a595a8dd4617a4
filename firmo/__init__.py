"""firmo: French public business registries to CRM-ready lead lists."""

__version__ = "0.1.0"
