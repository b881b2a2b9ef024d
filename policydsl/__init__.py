"""policydsl: a declarative language and compiler for Chinese medical-insurance policy."""

__version__ = "0.1.0"
