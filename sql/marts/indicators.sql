-- 年初至今指标 / Year-to-date indicators at every month end.
-- Grain: county_code, indicator, period_end. For each domain and county, one
-- period per month from the first to the last month with data; period_start is
-- 1 January of that year. Ratios and percentages (ratio, pct, cut_pct) are
-- recomputed from their year-to-date numerator and denominator, never averaged;
-- they, and a sum with decimals, are rounded half up to their declared decimals
-- with integer arithmetic, from the exact sums.
-- A figure whose period includes a gap of its export (marts.coverage) is
-- incomplete: complete is false and missing_months names the gaps.
-- Not partitioned: a year-to-date figure depends on every earlier month of its
-- year, so the whole table (small: indicators x counties x month ends) is rebuilt
-- whenever any month changes.
WITH facts AS (
    SELECT 'tax' AS domain, county_code, month,
           CASE revenue_class WHEN 'tax' THEN 'tax_relief_wan' ELSE 'non_tax_relief_wan' END AS indicator,
           relief_yuan * 0.0001::DECIMAL(5, 4) AS amount
    FROM marts.tax_relief_monthly
    UNION ALL
    SELECT 'permit', county_code, month, 'permit_' || reform_mode, cases FROM marts.permit_reform_monthly
    UNION ALL
    SELECT 'permit', county_code, month, 'permit_cases', cases FROM marts.permit_reform_monthly
    UNION ALL
    SELECT 'court', county_code, month, 'court_received', received FROM marts.court_cases_monthly
    UNION ALL
    SELECT 'court', county_code, month, 'court_closed', closed FROM marts.court_cases_monthly
    UNION ALL
    SELECT 'court', county_code, month, 'court_ent_received', received
    FROM marts.court_cases_monthly WHERE enterprise_related
    UNION ALL
    SELECT 'court', county_code, month, 'court_ent_closed', closed
    FROM marts.court_cases_monthly WHERE enterprise_related
    UNION ALL
    SELECT 'inspection', county_code, date_trunc('month', drawn_on)::DATE, 'inspection_entities', count(*)
    FROM staging.inspections GROUP BY ALL
    UNION ALL
    SELECT 'inspection', county_code, date_trunc('month', drawn_on)::DATE, 'inspection_' || result, count(*)
    FROM staging.inspections GROUP BY ALL
    UNION ALL
    -- Item review: each item in the month of its latest review (staging holds the last export's).
    SELECT 'review', county_code, month, indicator, amount FROM (
        SELECT county_code, date_trunc('month', reviewed_on)::DATE AS month,
               count(*)::BIGINT AS review_items,
               sum(materials_before)::BIGINT AS review_materials_before,
               sum(materials_after)::BIGINT AS review_materials_after,
               sum(legal_days)::BIGINT AS review_legal_days,
               sum(promised_days)::BIGINT AS review_promised_days,
               count(*) FILTER (immediate)::BIGINT AS review_immediate_items
        FROM staging.item_review GROUP BY ALL
    ) UNPIVOT (amount FOR indicator IN (review_items, review_materials_before, review_materials_after,
                                       review_legal_days, review_promised_days, review_immediate_items))
    UNION ALL
    SELECT 'invest', county_code, month, indicator, amount FROM (
        SELECT county_code, month, sum(projects)::BIGINT AS invest_projects,
               sum(key_projects)::BIGINT AS invest_key_projects,
               sum(tolerance_projects)::BIGINT AS invest_tolerance_projects
        FROM marts.investment_projects_monthly GROUP BY ALL
    ) UNPIVOT (amount FOR indicator IN (invest_projects, invest_key_projects, invest_tolerance_projects))
    UNION ALL
    -- 亿元 with every decimal of the yuan (10): rounded only once summed (its decimals).
    SELECT 'invest', county_code, month, 'invest_total_yi', investment_yuan * 0.00000001::DECIMAL(9, 8)
    FROM marts.investment_projects_monthly
    -- real estate
    UNION ALL
    SELECT 'realestate', county_code, month, 'realestate_completed', completed FROM marts.realestate_monthly
    UNION ALL
    SELECT 'realestate', county_code, month, 'realestate_fee_waived_wan', fee_waived_yuan * 0.0001::DECIMAL(5, 4)
    FROM marts.realestate_monthly
    UNION ALL
    SELECT 'realestate', county_code, month, 'realestate_within_2_working_days', within_2_working_days
    FROM marts.realestate_monthly
),
-- What a distinct count counts, by the month it falls in: the same member in
-- several months of a period counts once.
members AS (
    SELECT DISTINCT county_code, 'inspection_tasks' AS indicator, task_id AS member,
           date_trunc('month', drawn_on)::DATE AS month
    FROM staging.inspections
    UNION ALL
    -- Sponsor names were normalised (NFKC) and trimmed at ingestion.
    SELECT DISTINCT county_code, 'invest_agency_sponsors', sponsor, date_trunc('month', decided_on)::DATE
    FROM staging.investment_projects WHERE agency_service
),
spine AS (
    SELECT domain, county_code,
           unnest(generate_series(first_month, last_month, INTERVAL 1 MONTH))::DATE AS month
    FROM (
        SELECT domain, county_code, min(month) AS first_month, max(month) AS last_month
        FROM facts GROUP BY domain, county_code
    )
),
periods AS (
    SELECT domain, county_code, month,
           date_trunc('year', month)::DATE AS period_start, last_day(month) AS period_end
    FROM spine
),
sums AS (
    SELECT county_code, indicator, period_start, period_end,
           -- each branch cast on its own: a CASE would give both the decimals of the first
           CASE WHEN decimals IS NULL THEN exact::DECIMAL(24, 6)
                ELSE (floor(exact * scale + 0.5)::DECIMAL(38, 0) / scale::DECIMAL(38, 0))::DECIMAL(24, 6)
           END AS value
    FROM (
        SELECT p.county_code, d.indicator, d.decimals, p.period_start, p.period_end,
               coalesce(sum(f.amount), 0) AS exact, (10::HUGEINT ** coalesce(d.decimals, 0))::HUGEINT AS scale
        FROM periods p
        JOIN marts.indicator_definitions d ON d.domain = p.domain AND d.method = 'sum'
        LEFT JOIN facts f
            ON f.county_code = p.county_code AND f.indicator = d.indicator
            AND f.month BETWEEN p.period_start AND p.month
        GROUP BY p.county_code, d.indicator, d.decimals, p.period_start, p.period_end
    )
),
distincts AS (
    SELECT p.county_code, d.indicator, p.period_start, p.period_end,
           count(DISTINCT m.member)::DECIMAL(24, 6) AS value
    FROM periods p
    JOIN marts.indicator_definitions d ON d.domain = p.domain AND d.method = 'distinct'
    LEFT JOIN members m
        ON m.county_code = p.county_code AND m.indicator = d.indicator
        AND m.month BETWEEN p.period_start AND p.month
    GROUP BY ALL
),
-- ratio: numerator / denominator; pct: x 100; cut_pct: (1 - numerator / denominator) x 100.
-- From the exact year-to-date sums (scaled to integers), rounded half up to decimals.
divided AS (
    SELECT county_code, indicator, period_start, period_end,
           CASE WHEN den > 0 THEN
               ((num * factor * 2 * scale + den) // (2 * den))::DECIMAL(38, 6) / scale::DECIMAL(38, 0)
           END::DECIMAL(24, 6) AS value
    FROM (
        SELECT n.county_code, d.indicator, n.period_start, n.period_end,
               ((CASE d.method WHEN 'cut_pct' THEN den.value - n.value ELSE n.value END) * 1000000)::HUGEINT AS num,
               (den.value * 1000000)::HUGEINT AS den,
               CASE d.method WHEN 'ratio' THEN 1 ELSE 100 END::HUGEINT AS factor,
               (10::HUGEINT ** d.decimals)::HUGEINT AS scale
        FROM marts.indicator_definitions d
        JOIN sums n ON n.indicator = d.numerator
        JOIN sums den
            ON den.indicator = d.denominator AND den.county_code = n.county_code
            AND den.period_end = n.period_end
        WHERE d.method IN ('ratio', 'pct', 'cut_pct')
    )
),
-- One value per item (a case) for the indicators taken over the items of a period
-- (method median): domain, county_code, month, indicator, value.
items AS (
    SELECT 'realestate' AS domain, county_code, month, 'realestate_median_working_days' AS indicator,
           working_days AS value
    FROM marts.realestate_cases
),
-- Medians are taken over the items (cases) of the whole period, never from
-- monthly medians; quantile_disc takes the lower middle value for an even count.
medians AS (
    SELECT p.county_code, d.indicator, p.period_start, p.period_end,
           quantile_disc(i.value, 0.5)::DECIMAL(24, 6) AS value
    FROM periods p
    JOIN marts.indicator_definitions d ON d.domain = p.domain AND d.method = 'median'
    LEFT JOIN items i
        ON i.county_code = p.county_code AND i.indicator = d.indicator
        AND i.month BETWEEN p.period_start AND p.month
    GROUP BY ALL
),
all_values AS (
    SELECT * FROM sums
    UNION ALL SELECT * FROM distincts
    UNION ALL SELECT * FROM divided
    UNION ALL SELECT * FROM medians
),
gaps AS (
    SELECT v.county_code, v.indicator, v.period_end,
           string_agg(strftime(c.month, '%Y-%m'), ',' ORDER BY c.month) AS missing_months
    FROM all_values v
    JOIN marts.indicator_definitions d USING (indicator)
    JOIN marts.coverage c
        ON c.county_code = v.county_code AND c.kind = d.kind AND c.gap
        AND c.month BETWEEN v.period_start AND v.period_end
    GROUP BY v.county_code, v.indicator, v.period_end
)
SELECT v.county_code, v.indicator, v.period_end, v.period_start, v.value, d.unit, d.indicator_zh,
       g.missing_months IS NULL AS complete,
       coalesce(g.missing_months, '') AS missing_months
FROM all_values v
JOIN marts.indicator_definitions d USING (indicator)
LEFT JOIN gaps g USING (county_code, indicator, period_end)
ORDER BY v.county_code, v.indicator, v.period_end;
