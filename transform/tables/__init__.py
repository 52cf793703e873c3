"""Statistical tables of a report: classify each document table, then map its cells to canonical codes."""
