"""File formats at the edge: read enterprise rows from and write result rows to CSV, XLSX, JSONL
and Parquet (chosen by extension). Rows stream in and out; nothing here reasons about policy."""
