-- Written by hand (drizzle-kit snapshots in meta/ stop at 0001; see README, Development).
-- How many events a lead keeps (all its visitor ids), on the lead's own row: the write path refuses events
-- past the limit, so replaying a lead's history (rescore, merge, a beacon under new rules) stays bounded.
-- NULL means not counted yet (leads stored before, and leads whose old events retention just purged): the
-- lead's next write counts it.
ALTER TABLE `visitors` ADD `stored_events` integer;
