-- Watermarks: where an incremental source connector stopped reading.
SELECT value FROM watermark WHERE source = :source
