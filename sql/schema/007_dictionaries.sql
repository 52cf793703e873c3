-- Reference dictionaries loaded from transform/data/*.csv by flows/warehouse/dictionary_tables.py on every warehouse open
-- (contents replaced each time, so the warehouse always describes the code that wrote it). The metric
-- views join them; analysts read them to know what a code, rule, party or harmonised series means.

-- One row per metric code of transform/data/metrics.csv.
CREATE TABLE IF NOT EXISTS metric_dictionary (
    code              VARCHAR PRIMARY KEY, -- canonical metric code (facts.code)
    table_id          VARCHAR,             -- t2 | t3 | t4 | legacy | text (facts.table_id)
    kind              VARCHAR,             -- observed (a printed cell) | derived (a sum defined by a rule)
    unit              VARCHAR,             -- 件, 项, 条, 次, 篇, 个, 人, 人次, 万元, 元
    generations       VARCHAR,             -- space-separated subset of 'legacy g19 g21' in which the code exists
    label_zh          VARCHAR,             -- Chinese label (official wording)
    label_en          VARCHAR,             -- English label
    g21_label_path    VARCHAR,             -- label path in the 〔2021〕30号 (G21) table, ' > ' between levels
    g19_label_path    VARCHAR,             -- label path in the 〔2019〕60号 (G19) table
    legacy_label_path VARCHAR,             -- label path in the legacy 统计表 (L16, or the LP form for LP-only codes)
    notes             VARCHAR,             -- rules the code takes part in, aliases seen, caveats
    lp_only           BOOLEAN,             -- the code exists only in pre-2014 local (LP) forms, not in the L16 样表
    series            VARCHAR,             -- harmonised series (v_series) the code feeds, comma-separated; NULL if none
    series_grade      VARCHAR              -- comparability grade(s) of those series (A, A-, B, C), same order
);

-- One row per rule of transform/data/rules.csv (the checks table and v_checks_cross_year use rule_id).
CREATE TABLE IF NOT EXISTS rule_dictionary (
    rule_id     VARCHAR PRIMARY KEY, -- T3-A, T4-A.rev, L-G, N-1.g … (checks.rule_id)
    generations VARCHAR,             -- table generations the rule applies to (legacy g19 g21)
    scope       VARCHAR,             -- which table and cells, per party / cross-year
    severity    VARCHAR,             -- hard (must hold within a report) | soft (warning)
    formula     VARCHAR,             -- the equation in metric codes
    description VARCHAR              -- what it means and how blanks are treated
);

-- One row per applicant column of table 3 (transform/data/parties.csv); facts.party of t3 facts.
CREATE TABLE IF NOT EXISTS party_dictionary (
    code         VARCHAR PRIMARY KEY, -- natural_person, org_business … total, org_subtotal (facts.party)
    label_zh     VARCHAR,             -- column header as printed
    label_en     VARCHAR,             -- English label
    column_order INTEGER              -- official column order 1–7; 0 for the non-official 小计 column
);

-- One row per harmonised series of v_series (transform/data/series.csv).
CREATE TABLE IF NOT EXISTS series_dictionary (
    series        VARCHAR PRIMARY KEY, -- h_* name (v_series.series)
    g_source      VARCHAR,             -- formula over G19/G21 codes (v_rep columns)
    legacy_source VARCHAR,             -- formula over L16 legacy codes; NULL when there is no legacy equivalent
    lp_source     VARCHAR,             -- formula over LP (pre-2014 local form) codes; NULL when no LP equivalent
    grade         VARCHAR,             -- A same definition | A- same concept, minor scope differences | B approximately
                                       -- comparable, plot with a break | C different concept, report separately
    caveat        VARCHAR              -- what differs across the 2019 break
);
