-- The report's prose, section by section, in document order.
CREATE TABLE IF NOT EXISTS narratives (
    report_id  VARCHAR NOT NULL,
    ordinal    INTEGER NOT NULL,
    section    VARCHAR NOT NULL,   -- canonical key (overview, requests, problems …) or 'unclassified'
    heading    VARCHAR,
    text       VARCHAR,
    PRIMARY KEY (report_id, ordinal)
);
