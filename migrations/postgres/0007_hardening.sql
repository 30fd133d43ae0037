-- What a task's owner is told of a failure stays in fail_reason; the internal detail behind it
-- (an address refused, an upstream's error text) is kept apart, for admins.
ALTER TABLE tasks ADD COLUMN fail_detail TEXT;
-- The credits given back when the task ended (a cancel may give back part of the cost). Until
-- now every failed or cancelled task was refunded in full.
ALTER TABLE tasks ADD COLUMN refunded BIGINT NOT NULL DEFAULT 0 CHECK (refunded >= 0);
UPDATE tasks SET refunded = cost WHERE status IN ('failed', 'cancelled');
