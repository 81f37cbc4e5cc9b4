DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE review_conflicts;
DROP TABLE reviews;
DELETE FROM items WHERE id IN (SELECT item_id FROM submissions);
DROP TABLE submissions;
DROP TABLE api_keys;
