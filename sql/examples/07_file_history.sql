-- 文件入库记录 / Every file seen, in the order ingested, with where its rows went.
SELECT ingest_id, file_name, kind, status, rows_read, rows_loaded, rows_quarantined,
       coalesce(reason, notes) AS remark, ingested_at
FROM meta.ingest_log
ORDER BY ingest_id;
