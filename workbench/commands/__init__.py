"""CLI subcommands, one module per capability; each exposes ``register(subparsers)``."""
