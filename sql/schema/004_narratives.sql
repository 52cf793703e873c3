-- The report's prose, section by section, in document order.
CREATE TABLE IF NOT EXISTS narratives (
    report_id  VARCHAR NOT NULL,
    ordinal    INTEGER NOT NULL,
    section    VARCHAR NOT NULL,   -- canonical key (overview, requests, problems …) or 'unclassified'
    heading    VARCHAR,
    text       VARCHAR
);
-- Key: (report_id, ordinal), unique by construction (ordinals are numbered by the transform) and asserted
-- by the data tests; not declared, for the reason given at facts.
