"""Qt-free core of the workbench: the case, jobs, the CLI, map documents, reports."""

__version__ = "0.1.0"
