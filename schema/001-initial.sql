-- 001-initial.sql - the first schema of the dayhub directory.
--
-- store.c applies each numbered file once, in its own transaction, and
-- then sets PRAGMA user_version to the file's number.  Instants are whole
-- seconds since the epoch, UTC; the text a feed published is kept beside
-- them where people read it.

-- A hub: a local centre whose directory gathers its spokes' activities.
-- Rows come from the configuration.  A hub dropped from it is kept with
-- active = 0 rather than deleted, so that whatever is later keyed on a
-- hub (a coordinator's curation) survives a slip in the config file.
CREATE TABLE hubs (
	id		TEXT PRIMARY KEY NOT NULL,
	name		TEXT NOT NULL,
	area		TEXT,
	timezone	TEXT NOT NULL DEFAULT 'Europe/London',
	active		INTEGER NOT NULL DEFAULT 1
);

-- A spoke: one organisation's feed, as configured, and the health of its
-- refreshes.  last_status is 'ok' or 'failed' (NULL before the first);
-- warnings_json holds the first few warnings of the last good read as a
-- JSON array of {"line","message"}; next_due is for the scheduler.
CREATE TABLE spokes (
	id			TEXT PRIMARY KEY NOT NULL,
	name			TEXT NOT NULL,
	url			TEXT NOT NULL,
	format			TEXT NOT NULL DEFAULT 'auto',
	interval		INTEGER NOT NULL DEFAULT 0,
	last_attempt		INTEGER,
	last_success		INTEGER,
	last_status		TEXT,
	last_error		TEXT,
	last_bytes		INTEGER,
	last_records		INTEGER,
	last_warnings		INTEGER,
	warnings_json		TEXT,
	consecutive_failures	INTEGER NOT NULL DEFAULT 0,
	next_due		INTEGER
);

-- Which spokes feed which hub's directory: a spoke may serve several
-- hubs.  Rebuilt from the configuration at every start and reload.
CREATE TABLE hub_spokes (
	hub	TEXT NOT NULL REFERENCES hubs(id) ON DELETE CASCADE,
	spoke	TEXT NOT NULL REFERENCES spokes(id) ON DELETE CASCADE,
	PRIMARY KEY (hub, spoke)
) WITHOUT ROWID;
CREATE INDEX hub_spokes_spoke ON hub_spokes(spoke);

-- One activity as its spoke's feed last described it.  `record` is the
-- whole v1 record as JSON, the source of truth; the other columns are
-- copies of its parts for filtering, ordering and the full-text index.
-- `seq` is an explicit INTEGER PRIMARY KEY so that the rowid the index
-- refers to never changes, not even across a VACUUM.  content_hash tells
-- a refresh whether a record changed at all.
CREATE TABLE activities (
	seq		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE,	-- "<spoke>:<source id>"
	spoke		TEXT NOT NULL REFERENCES spokes(id) ON DELETE CASCADE,
	source_id	TEXT NOT NULL,
	title		TEXT NOT NULL,
	summary		TEXT,
	description	TEXT,
	organiser	TEXT,			-- organiser.name
	venue		TEXT,			-- location name and address
	categories	TEXT,			-- categories and activity terms
	url		TEXT,
	start_utc	INTEGER,
	end_utc		INTEGER,
	start_text	TEXT,			-- RFC 3339 as published
	end_text	TEXT,
	timezone	TEXT,
	postcode	TEXT,
	lat		REAL,
	lon		REAL,
	cost_min	REAL,
	cost_max	REAL,
	free		INTEGER,
	pathway		TEXT,
	updated		TEXT,
	record		TEXT NOT NULL,
	content_hash	TEXT NOT NULL
);
CREATE INDEX activities_spoke ON activities(spoke);
CREATE INDEX activities_start ON activities(start_utc);

-- The full-text index over the words people search for.  It is an
-- external-content FTS5 table: it stores only the index and reads the
-- text back from `activities` through `seq`, so nothing is kept twice.
-- The triggers below keep it in step with every insert, update and
-- delete the store makes, inside the same transaction.  The tokenizer
-- folds case and accents ("cafe" finds "café") and stems English words
-- ("gardens" finds "gardening").
CREATE VIRTUAL TABLE activities_fts USING fts5(
	title, summary, description, organiser, venue, categories,
	content = 'activities',
	content_rowid = 'seq',
	tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER activities_fts_insert AFTER INSERT ON activities BEGIN
	INSERT INTO activities_fts(rowid, title, summary, description,
	    organiser, venue, categories)
	VALUES (new.seq, new.title, new.summary, new.description,
	    new.organiser, new.venue, new.categories);
END;

CREATE TRIGGER activities_fts_delete AFTER DELETE ON activities BEGIN
	INSERT INTO activities_fts(activities_fts, rowid, title, summary,
	    description, organiser, venue, categories)
	VALUES ('delete', old.seq, old.title, old.summary, old.description,
	    old.organiser, old.venue, old.categories);
END;

CREATE TRIGGER activities_fts_update AFTER UPDATE ON activities BEGIN
	INSERT INTO activities_fts(activities_fts, rowid, title, summary,
	    description, organiser, venue, categories)
	VALUES ('delete', old.seq, old.title, old.summary, old.description,
	    old.organiser, old.venue, old.categories);
	INSERT INTO activities_fts(rowid, title, summary, description,
	    organiser, venue, categories)
	VALUES (new.seq, new.title, new.summary, new.description,
	    new.organiser, new.venue, new.categories);
END;
