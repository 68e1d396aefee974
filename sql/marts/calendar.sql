-- 工作日历 / Working-day calendar: the State Council's statutory holidays and make-up working days (调休).
-- Grain: day, every day of every year the holiday calendar package knows
-- (chinese-calendar, see assets/workdays.py; statutory_days is generated from it:
-- its holidays and make-up days, nothing typed by hand). A working day is Monday
-- to Friday except a statutory holiday, or a weekend day declared a working day.
-- working_day_number counts the working days from the calendar's first day, so the
-- working days d with a < d <= b number working_day_number(b) - working_day_number(a).
-- A year the package does not know yet is absent: a model that needs one of its
-- days stops the build (README: keeping the calendar current).
WITH statutory AS (
    {{ statutory_days }}
),
span AS (
    SELECT min(calendar_first_day) AS first_day, min(calendar_last_day) AS last_day,
           min(calendar_source) AS source
    FROM statutory
),
days AS (
    SELECT unnest(generate_series(first_day, last_day, INTERVAL 1 DAY))::DATE AS day, source FROM span
),
classified AS (
    SELECT d.day, d.source, s.holiday,
           coalesce(s.is_working_day, isodow(d.day) <= 5) AS is_working_day,
           CASE
               WHEN s.is_working_day AND isodow(d.day) > 5 THEN 'makeup_working_day'
               WHEN s.is_working_day = false AND isodow(d.day) <= 5 THEN 'holiday'
               WHEN isodow(d.day) > 5 THEN 'weekend'
               ELSE 'working_day'
           END AS day_type
    FROM days d
    LEFT JOIN statutory s USING (day)
)
SELECT
    day,
    is_working_day,
    day_type,
    holiday,
    (count(*) FILTER (is_working_day) OVER (ORDER BY day))::BIGINT AS working_day_number,
    source
FROM classified
ORDER BY day;
