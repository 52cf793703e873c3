"""Warehouse I/O: the single writer, read-only connections, the run lock, the staging copy and swap,
the dictionary tables, the materialised model and the storage format. Imports nothing of flows but
``flows.records`` and ``flows.paths``."""
