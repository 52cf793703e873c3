-- One row per loaded document version. report_id = first 16 hex chars of the file's sha256.
-- Versions: a changed file, or another document for the same agency_id and year, becomes the current
-- version; the one it replaces keeps its row with is_current = false and is named in `supersedes`.
CREATE TABLE IF NOT EXISTS reports (
    report_id    VARCHAR  PRIMARY KEY,
    sha256       VARCHAR  NOT NULL,
    source_path  VARCHAR  NOT NULL,
    format       VARCHAR  NOT NULL,
    agency       VARCHAR,             -- agency name as printed in the report
    agency_id    VARCHAR,             -- identity across years and spellings: '{division_code}:{local name}'
                                      -- ('330212:卫生健康局'), or 'name:{name}' when the region is unknown/ambiguous
    agency_name  VARCHAR,             -- region-qualified canonical name (宁波市鄞州区卫生健康局)
    agency_type  VARCHAR,             -- 卫生健康, 教育, 政府, 政府办公室, 乡镇街道 … (transform/data/agency_types.csv)
    province     VARCHAR,
    city         VARCHAR,
    county       VARCHAR,
    division_code VARCHAR,            -- six-digit 行政区划代码 of the most specific division (gazetteer)
    admin_level  VARCHAR,             -- province | city | county | township
    report_scope VARCHAR,             -- agency_self | government_self | region_aggregate
    agency_ambiguous BOOLEAN,         -- the name fits several divisions: recorded, not guessed
    agency_candidates VARCHAR[],      -- the divisions it could be ('320106 江苏省南京市鼓楼区') when ambiguous
    predecessor_ids VARCHAR[],        -- agency_ids this agency was renamed from (卫生和计划生育局 → 卫生健康局)
    year         INTEGER,
    title        VARCHAR,
    gen_t2       VARCHAR,             -- layout generation of table 二 (g19 | g21), NULL if absent
    gen_t3       VARCHAR,
    gen_t4       VARCHAR,
    gen_legacy   VARCHAR,             -- 'legacy' for the pre-2019 statistics table
    is_current   BOOLEAN  NOT NULL,
    version      INTEGER  NOT NULL,   -- 1 for the first version of an (agency, year) or a path
    supersedes   VARCHAR,             -- report_id of the version this one replaced
    loaded_at    TIMESTAMPTZ NOT NULL,
    narrative_only BOOLEAN,           -- prose but no statistics table
    warnings     VARCHAR[] NOT NULL,  -- what the parser noticed and worked around
    ocr_pages    INTEGER[]            -- pages read by OCR (scans, image pages of mixed PDFs); empty: none
);

-- Warehouses created before these columns existed get them (NULL for reports loaded earlier).
ALTER TABLE reports ADD COLUMN IF NOT EXISTS agency_id VARCHAR;
ALTER TABLE reports ADD COLUMN IF NOT EXISTS agency_name VARCHAR;
ALTER TABLE reports ADD COLUMN IF NOT EXISTS agency_type VARCHAR;
ALTER TABLE reports ADD COLUMN IF NOT EXISTS province VARCHAR;
ALTER TABLE reports ADD COLUMN IF NOT EXISTS city VARCHAR;
ALTER TABLE reports ADD COLUMN IF NOT EXISTS county VARCHAR;
ALTER TABLE reports ADD COLUMN IF NOT EXISTS division_code VARCHAR;
ALTER TABLE reports ADD COLUMN IF NOT EXISTS admin_level VARCHAR;
ALTER TABLE reports ADD COLUMN IF NOT EXISTS report_scope VARCHAR;
ALTER TABLE reports ADD COLUMN IF NOT EXISTS agency_ambiguous BOOLEAN;
ALTER TABLE reports ADD COLUMN IF NOT EXISTS agency_candidates VARCHAR[];
ALTER TABLE reports ADD COLUMN IF NOT EXISTS predecessor_ids VARCHAR[];
ALTER TABLE reports ADD COLUMN IF NOT EXISTS narrative_only BOOLEAN;
ALTER TABLE reports ADD COLUMN IF NOT EXISTS ocr_pages INTEGER[];
