-- Every table value of a report, long format. party is the table 三 applicant column, '_' elsewhere.
-- A blank cell is state 'blank' with value NULL: unknown, never zero.
-- A row the dictionary does not know is loaded, never dropped: code 'unmapped:<label path>', the path's levels
-- normalised as the dictionary's labels are (width, spacing, ordinals, 其中：, trailing notes removed) and joined
-- with ' > ' (a label printed twice under the same parents: ' #2', ' #3' in reading order); value, state,
-- raw_label and party as for any cell. Filter them with starts_with(code, 'unmapped:'); a later dictionary
-- entry maps them by joining on that path. No rule, model column, view metric or series reads them.
CREATE TABLE IF NOT EXISTS facts (
    report_id   VARCHAR NOT NULL,
    table_id    VARCHAR NOT NULL,    -- t2 | t3 | t4 | legacy
    code        VARCHAR NOT NULL,    -- canonical metric code (transform/data/metrics.csv), or 'unmapped:' + the normalised label path of a row the dictionary does not know
    party       VARCHAR NOT NULL,
    value       DOUBLE,
    state       VARCHAR NOT NULL,    -- number | blank | dash | na_text | imputed | recovered (glued digits split by the identities) | uncertain (read by OCR below confidence 0.8 or not a clean number: value NULL, the reading in raw_value)
    unit        VARCHAR,
    raw_label   VARCHAR,             -- label path as printed
    raw_value   VARCHAR,             -- cell text as printed
    position    VARCHAR,             -- where the cell is in the source table
    page        INTEGER,
    generation  VARCHAR,             -- g19 | g21 | legacy
    provenance  VARCHAR,             -- text (the file's own text layer or markup) | ocr (read by OCR from a page image); NULL for facts loaded before OCR existed (text)
    confidence  DOUBLE               -- OCR confidence 0..1: lowest glyph score of the cell (1 for an empty cell without ink, 0 for ink OCR could not read); NULL for text
);
-- Key: (report_id, table_id, code, party), unique by construction and asserted by the data tests
-- (tests/test_data_keys.py), not declared: report_id is the reports key and the writer keeps the first of a
-- repeated (table_id, code, party) of one report, with a warning. A declared key is an index over every cell
-- of the warehouse, which the single writer kept in memory: 13 MB at 400 documents, 73 MB at 10,000, growing
-- with the warehouse. Warehouses created earlier keep their declared key; both work.

-- Warehouses created before OCR get the columns (NULL for facts loaded earlier: all from text).
ALTER TABLE facts ADD COLUMN IF NOT EXISTS provenance VARCHAR;
ALTER TABLE facts ADD COLUMN IF NOT EXISTS confidence DOUBLE;
