"""The command line: ``xxgk`` and its sub-commands. Imports every other part of flows; nothing imports it."""
