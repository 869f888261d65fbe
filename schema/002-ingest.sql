-- 002-ingest.sql - feed health for the scheduler, tombstones, and the
-- identity mode of each feed.
--
-- Applied in one transaction after 001-initial.sql, which stays as it was
-- released.  Columns are added with no default other than NULL, so rows
-- of an existing database read as "never seen" until the next refresh.

-- What the last refresh of a spoke saw, beyond 001's columns.
-- last_status may now also be 'unchanged': the server answered 304 to a
-- conditional request, so nothing was read and nothing changed.
--   http_status	the last attempt's HTTP status (NULL: none, or file:)
--   last_seconds	how long the last good fetch took
--   current_url	where a permanent redirect (301, 308) said the feed
--			now lives; fetched instead of `url` until the
--			configured url itself changes.  NULL: use `url`.
--   moved_from		the URL the feed moved away from, and when
--   moved_at
--   etag		validators of the last good or 304 answer, sent
--   last_modified	back so an unchanged feed costs a 304
--   gone_since		the first 404 or 410 of a run of them; cleared by
--			any success
--   identity		how the feed's records are told apart: 'guid' (the
--			feed's own ids), 'link' or 'hash' (title, start and
--			location), chosen when its ids proved unreliable
--			and kept, so identities do not flip between reads.
--			NULL: not yet known, taken as 'guid'.
-- warnings_json now keeps the first 5 warnings of the last good read.
ALTER TABLE spokes ADD COLUMN http_status INTEGER;
ALTER TABLE spokes ADD COLUMN last_seconds REAL;
ALTER TABLE spokes ADD COLUMN current_url TEXT;
ALTER TABLE spokes ADD COLUMN moved_from TEXT;
ALTER TABLE spokes ADD COLUMN moved_at INTEGER;
ALTER TABLE spokes ADD COLUMN etag TEXT;
ALTER TABLE spokes ADD COLUMN last_modified TEXT;
ALTER TABLE spokes ADD COLUMN gone_since INTEGER;
ALTER TABLE spokes ADD COLUMN identity TEXT;

-- An activity that left its feed is not deleted but becomes a tombstone:
-- deleted_at is set (to the start of the refresh that missed it), and it
-- leaves the directory: search, listings and counts skip it, while a
-- lookup by id still finds it, marked deleted, so that whatever points at
-- it (a booking) keeps its meaning.  If it comes back it is the same row,
-- seq and id again.  Tombstones are purged after a while.
ALTER TABLE activities ADD COLUMN deleted_at INTEGER;
CREATE INDEX activities_deleted ON activities(deleted_at)
	WHERE deleted_at IS NOT NULL;

-- The full-text index holds live activities only.  001's triggers indexed
-- every row; these replace them and look at deleted_at: a row enters the
-- index when it is inserted or revived live, and leaves it when it is
-- tombstoned or deleted while live.  A tombstone is not in the index, so
-- nothing is removed from it when one is purged: an external-content
-- index must never be told to remove what it does not hold.
DROP TRIGGER activities_fts_insert;
DROP TRIGGER activities_fts_delete;
DROP TRIGGER activities_fts_update;

CREATE TRIGGER activities_fts_insert AFTER INSERT ON activities
WHEN new.deleted_at IS NULL BEGIN
	INSERT INTO activities_fts(rowid, title, summary, description,
	    organiser, venue, categories)
	VALUES (new.seq, new.title, new.summary, new.description,
	    new.organiser, new.venue, new.categories);
END;

CREATE TRIGGER activities_fts_delete AFTER DELETE ON activities
WHEN old.deleted_at IS NULL BEGIN
	INSERT INTO activities_fts(activities_fts, rowid, title, summary,
	    description, organiser, venue, categories)
	VALUES ('delete', old.seq, old.title, old.summary, old.description,
	    old.organiser, old.venue, old.categories);
END;

-- One trigger, two guarded steps, so the removal always runs first.
CREATE TRIGGER activities_fts_update AFTER UPDATE ON activities BEGIN
	INSERT INTO activities_fts(activities_fts, rowid, title, summary,
	    description, organiser, venue, categories)
	SELECT 'delete', old.seq, old.title, old.summary, old.description,
	    old.organiser, old.venue, old.categories
	WHERE old.deleted_at IS NULL;
	INSERT INTO activities_fts(rowid, title, summary, description,
	    organiser, venue, categories)
	SELECT new.seq, new.title, new.summary, new.description,
	    new.organiser, new.venue, new.categories
	WHERE new.deleted_at IS NULL;
END;
