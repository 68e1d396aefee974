-- 不动产登记办结件 / Real-estate registration cases completed, one row per case, with the working days each took.
-- Grain: county_code, case_id. The completion date decides the month; a pending
-- case (no completion date) is not here yet. The working days a case took are the
-- working days d of marts.calendar with accepted_on < d <= completed_on (0 for a
-- case completed the day it was accepted), so a case accepted before the Spring
-- Festival and completed on a make-up Saturday took one working day, not five.
-- A case dated in a year the calendar does not know stops the build, naming the
-- case and the fix, rather than counting Monday to Friday.
SELECT
    r.county_code,
    r.case_id,
    date_trunc('month', r.completed_on)::DATE AS month,
    r.registration_type,
    r.applicant_type,
    r.accepted_on,
    r.completed_on,
    CASE
        WHEN a.day IS NULL OR c.day IS NULL THEN error(
            'realestate case ' || r.case_id || ' (county ' || r.county_code || ', accepted '
            || r.accepted_on || ', completed ' || r.completed_on || ') lies outside the working-day '
            || 'calendar (' || coalesce((SELECT min(source) FROM marts.calendar), 'empty')
            || '): install a newer chinese-calendar that knows that year (pip install -U chinese-calendar) '
            || 'or correct the date')
        ELSE c.working_day_number - a.working_day_number
    END::BIGINT AS working_days,
    r.fee_waived_yuan,
    r.applicants_count
FROM staging.realestate r
LEFT JOIN marts.calendar a ON a.day = r.accepted_on
LEFT JOIN marts.calendar c ON c.day = r.completed_on
WHERE r.completed_on IS NOT NULL
ORDER BY ALL;
