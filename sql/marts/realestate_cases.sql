-- 不动产登记办结件 / Real-estate registration cases completed, one row per case, with the working days each took.
-- Grain: county_code, case_id. The completion date decides the month; a pending
-- case (no completion date) is not here yet. The working days a case took are the
-- working days d of marts.calendar with accepted_on < d <= completed_on (0 for a
-- case completed the day it was accepted), so a case accepted before the Spring
-- Festival and completed on a make-up Saturday took one working day, not five.
-- A case dated in a year the calendar does not know stops the build, naming the
-- case and the fix, rather than counting Monday to Friday.
-- partitioned by month of: month
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

COMMENT ON TABLE marts.realestate_cases IS '不动产登记办结件（每件一行，含所用工作日） / real-estate registration cases completed, one row per case, with the working days taken';
COMMENT ON COLUMN marts.realestate_cases.county_code IS '行政区划代码 / county code (GB/T 2260)';
COMMENT ON COLUMN marts.realestate_cases.case_id IS '业务编号 / case number';
COMMENT ON COLUMN marts.realestate_cases.month IS '办结月份（月初日期） / month completed, as the date of its first day';
COMMENT ON COLUMN marts.realestate_cases.registration_type IS '登记类型：first, transfer, change, mortgage, cancellation, correction, other / registration type';
COMMENT ON COLUMN marts.realestate_cases.applicant_type IS '申请人类型：organisation 企业或单位, individual 个人 / applicant type';
COMMENT ON COLUMN marts.realestate_cases.accepted_on IS '受理日期 / date accepted';
COMMENT ON COLUMN marts.realestate_cases.completed_on IS '办结日期 / date completed';
COMMENT ON COLUMN marts.realestate_cases.working_days IS '办理用时（工作日）：受理日之后至办结日（含）的工作日数，按国务院节假日及调休安排 / working days taken: working days after the acceptance day up to and including the completion day, State Council calendar';
COMMENT ON COLUMN marts.realestate_cases.fee_waived_yuan IS '免收登记费（元） / registration fee waived in yuan';
COMMENT ON COLUMN marts.realestate_cases.applicants_count IS '申请人人数（姓名不入库） / number of applicants (names are not stored)';
