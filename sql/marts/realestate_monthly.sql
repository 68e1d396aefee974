-- 不动产登记办件月度汇总 / Real-estate registration cases completed by month, registration type and applicant type.
-- Grain: county_code, month, registration_type, applicant_type. The month is the
-- completion date's; pending cases are not counted. Working days are those of
-- marts.realestate_cases (State Council calendar with its make-up days).
-- partitioned by month of: month
SELECT
    county_code,
    month,
    registration_type,
    applicant_type,
    count(*)::BIGINT AS completed,
    sum(fee_waived_yuan)::DECIMAL(18, 2) AS fee_waived_yuan,
    sum(working_days)::BIGINT AS working_days_total,
    count(*) FILTER (working_days <= 2)::BIGINT AS within_2_working_days
FROM marts.realestate_cases
GROUP BY ALL
ORDER BY ALL;

COMMENT ON TABLE marts.realestate_monthly IS '不动产登记月度办结件数、免收登记费与办理用时 / real-estate registration cases completed by month, with fees waived and working days taken';
COMMENT ON COLUMN marts.realestate_monthly.county_code IS '行政区划代码 / county code (GB/T 2260)';
COMMENT ON COLUMN marts.realestate_monthly.month IS '办结月份（月初日期） / month completed, as the date of its first day';
COMMENT ON COLUMN marts.realestate_monthly.registration_type IS '登记类型：first, transfer, change, mortgage, cancellation, correction, other / registration type';
COMMENT ON COLUMN marts.realestate_monthly.applicant_type IS '申请人类型：organisation 企业或单位, individual 个人 / applicant type';
COMMENT ON COLUMN marts.realestate_monthly.completed IS '当月办结件数 / cases completed in the month';
COMMENT ON COLUMN marts.realestate_monthly.fee_waived_yuan IS '免收登记费（元） / registration fees waived in yuan';
COMMENT ON COLUMN marts.realestate_monthly.working_days_total IS '办理用时合计（工作日） / working days taken, summed over the cases';
COMMENT ON COLUMN marts.realestate_monthly.within_2_working_days IS '2个工作日内办结件数 / cases that took at most 2 working days';
