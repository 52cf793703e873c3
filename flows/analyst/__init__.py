"""The analyst surface over the warehouse: ad-hoc queries, Parquet/CSV exports, the HTML report page
and the data dictionary. Read-only; imports the warehouse package and nothing of the ingest."""
