-- 隔离行按规则统计 / Quarantined rows by export and by the rule they broke.
SELECT kind, regexp_replace(reason, ': ''.*?'' ', ': ') AS rule, count(*) AS rows
FROM (SELECT kind, unnest(reasons) AS reason FROM quarantine.rows)
GROUP BY ALL
ORDER BY kind, rows DESC;
