-- Nothing to do on SQLite: one process writes the file, and SQLite's WAL hook counts its commits
-- (src/db/commits.rs). On PostgreSQL this version adds the change notices of several instances.
SELECT 1;
