"""The sun: NREL SPA positions, the day's rise, noon and set, shadow geometry, and the inverse
problems (time from shadows, place from shadows, same time in two frames).

Import the modules (``analysis.sun.spa``, ``analysis.sun.day``...) directly; this package
imports nothing so that registering CLI commands stays light.
"""
