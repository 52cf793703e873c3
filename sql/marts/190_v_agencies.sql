-- v_agencies — one row per agency_id seen in any report version: names seen, region, type, years covered
-- by current reports, and rename links. reports.predecessor_ids lists the ids an agency was renamed from
-- (卫生和计划生育局 → 卫生健康局); a predecessor id that is itself an agency in the warehouse is a link
-- (linked_predecessor_ids / successor_ids) — the two agencies stay separate rows, never merged.
--
-- Columns:
--   agency_id                 agency identity across years and spellings
--   agency_name               canonical name of the agency's latest current report
--   names_seen                every printed and canonical name the agency's reports carry (sorted)
--   agency_type               agency type of the latest current report
--   province                  province
--   city                      city (prefecture)
--   county                    county-level division
--   division_code             six-digit 行政区划代码
--   admin_level               province | city | county | township
--   report_scopes             distinct report_scope values of its reports (sorted)
--   agency_ambiguous          true when any of its reports' names fits several divisions
--   first_year                earliest year of a current report
--   last_year                 latest year of a current report
--   years                     years with a current report (sorted)
--   reports                   number of current reports
--   versions                  number of report versions loaded (current and superseded)
--   predecessor_ids           agency_ids it may have been renamed from (reports.predecessor_ids, union)
--   linked_predecessor_ids    those predecessor ids that are agencies in the warehouse
--   successor_ids             agencies in the warehouse that name this agency as a predecessor
CREATE OR REPLACE VIEW v_agencies AS
WITH
all_versions AS (
    SELECT * FROM reports WHERE agency_id IS NOT NULL
),

latest AS (
    SELECT agency_id, agency_name, agency_type, province, city, county, division_code, admin_level
    FROM all_versions
    QUALIFY row_number() OVER (
        PARTITION BY agency_id ORDER BY is_current DESC, year DESC NULLS LAST, loaded_at DESC
    ) = 1
),

names AS (
    SELECT agency_id, list_sort(list(DISTINCT name)) AS names_seen
    FROM (
        SELECT agency_id, agency AS name FROM all_versions
        UNION ALL
        SELECT agency_id, agency_name FROM all_versions
    )
    WHERE name IS NOT NULL
    GROUP BY agency_id
),

coverage AS (
    SELECT
        agency_id,
        min(year) FILTER (WHERE is_current) AS first_year,
        max(year) FILTER (WHERE is_current) AS last_year,
        list_sort(list(DISTINCT year) FILTER (WHERE is_current AND year IS NOT NULL)) AS years,
        count(*) FILTER (WHERE is_current) AS reports,
        count(*) AS versions,
        list_sort(list(DISTINCT report_scope) FILTER (WHERE report_scope IS NOT NULL)) AS report_scopes,
        coalesce(bool_or(agency_ambiguous), false) AS agency_ambiguous
    FROM all_versions
    GROUP BY agency_id
),

predecessor_links AS (
    SELECT DISTINCT a.agency_id, p.predecessor_id
    FROM all_versions AS a, unnest(a.predecessor_ids) AS p(predecessor_id)
),

known_agencies AS (
    SELECT DISTINCT agency_id FROM all_versions
),

predecessors AS (
    SELECT
        l.agency_id,
        list_sort(list(l.predecessor_id)) AS predecessor_ids,
        list_sort(list(l.predecessor_id) FILTER (WHERE k.agency_id IS NOT NULL)) AS linked_predecessor_ids
    FROM predecessor_links AS l
    LEFT JOIN known_agencies AS k ON k.agency_id = l.predecessor_id
    GROUP BY l.agency_id
),

successors AS (
    SELECT l.predecessor_id AS agency_id, list_sort(list(l.agency_id)) AS successor_ids
    FROM predecessor_links AS l
    JOIN known_agencies AS k ON k.agency_id = l.predecessor_id
    GROUP BY l.predecessor_id
)

SELECT
    k.agency_id,
    l.agency_name,
    n.names_seen,
    l.agency_type,
    l.province,
    l.city,
    l.county,
    l.division_code,
    l.admin_level,
    c.report_scopes,
    c.agency_ambiguous,
    c.first_year,
    c.last_year,
    c.years,
    c.reports,
    c.versions,
    coalesce(p.predecessor_ids, []) AS predecessor_ids,
    coalesce(p.linked_predecessor_ids, []) AS linked_predecessor_ids,
    coalesce(s.successor_ids, []) AS successor_ids
FROM known_agencies AS k
JOIN latest AS l USING (agency_id)
JOIN coverage AS c USING (agency_id)
LEFT JOIN names AS n USING (agency_id)
LEFT JOIN predecessors AS p USING (agency_id)
LEFT JOIN successors AS s USING (agency_id);
