-- Written by hand (drizzle-kit snapshots in meta/ stop at 0001; see README, Development).
-- A stored list's number of lines, counted once when the list is stored (and kept by erasures), so a page
-- that shows it reads one row instead of counting the list's lines. Lists stored before stay NULL and are
-- counted when read.
ALTER TABLE `prospect_lists` ADD `lines` integer;
