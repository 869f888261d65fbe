-- 006-search.sql: what a search filters on, kept narrow, and the hub in
-- the full-text index.
--
-- An activity's row carries its whole record, so it spans several pages,
-- and the filter columns added by 003 sit behind the record: reading
-- them for a hub's ten thousand activities cost most of a search.
-- search_facts holds one short row per live activity with just what the
-- filters and the order need; a search reads it, and fetches the full
-- rows only for the page it returns.  Triggers keep it, as they keep the
-- full-text and place indexes.
--
-- The full-text index gains a column of hub tokens (one per hub whose
-- directory holds the activity), so that words and the hub are matched
-- together inside the index: a common word then costs what one hub holds
-- of it, not what every hub does.  A hub's token is "hub" and its id in
-- hex, so any id is one token.  The column has weight 0 in the ranking.

CREATE TABLE search_facts (
	seq		INTEGER PRIMARY KEY,	-- activities.seq
	spoke		TEXT NOT NULL,
	id		TEXT NOT NULL,
	start_utc	INTEGER,
	online		INTEGER,
	free		INTEGER,
	cost_min	REAL,
	funding_bits	INTEGER NOT NULL,
	pathway_bits	INTEGER NOT NULL,
	access_bits	INTEGER NOT NULL,
	group_bits	INTEGER NOT NULL,
	age_min		INTEGER,
	age_max		INTEGER,
	geo_lat		REAL,
	geo_lon		REAL,
	terms		TEXT
);
CREATE INDEX search_facts_spoke ON search_facts(spoke, seq);

INSERT INTO search_facts
SELECT seq, spoke, id, start_utc, online, free, cost_min, funding_bits,
    pathway_bits, access_bits, group_bits, age_min, age_max, geo_lat,
    geo_lon, terms
FROM activities WHERE deleted_at IS NULL;

CREATE TRIGGER search_facts_insert AFTER INSERT ON activities
WHEN new.deleted_at IS NULL BEGIN
	INSERT INTO search_facts
	VALUES (new.seq, new.spoke, new.id, new.start_utc, new.online,
	    new.free, new.cost_min, new.funding_bits, new.pathway_bits,
	    new.access_bits, new.group_bits, new.age_min, new.age_max,
	    new.geo_lat, new.geo_lon, new.terms);
END;

CREATE TRIGGER search_facts_update AFTER UPDATE ON activities BEGIN
	DELETE FROM search_facts WHERE seq = old.seq;
	INSERT INTO search_facts
	SELECT new.seq, new.spoke, new.id, new.start_utc, new.online,
	    new.free, new.cost_min, new.funding_bits, new.pathway_bits,
	    new.access_bits, new.group_bits, new.age_min, new.age_max,
	    new.geo_lat, new.geo_lon, new.terms
	WHERE new.deleted_at IS NULL;
END;

CREATE TRIGGER search_facts_delete AFTER DELETE ON activities BEGIN
	DELETE FROM search_facts WHERE seq = old.seq;
END;

-- A search that wants the soonest activities first may walk the window's
-- occurrences in time order; with the day and time in the index, the
-- walk skips those at other times without reading the table.
DROP INDEX occurrences_start;
CREATE INDEX occurrences_start ON occurrences(start_utc, activity, wday,
    minute, end_minute);

-- The hub tokens, and the full-text index rebuilt with them.
ALTER TABLE activities ADD COLUMN hubs TEXT;

DROP TRIGGER activities_fts_insert;
DROP TRIGGER activities_fts_delete;
DROP TRIGGER activities_fts_update;
DROP TABLE activities_fts;

-- Filled before any trigger can ask the new index to delete a row it
-- never had (which FTS5 takes for a corrupt index).
UPDATE activities SET hubs = (SELECT group_concat('hub' || lower(hex(hub)),
    ' ') FROM hub_spokes WHERE hub_spokes.spoke = activities.spoke);

CREATE VIRTUAL TABLE activities_fts USING fts5(
	title, summary, description, organiser, venue, categories, hubs,
	content = 'activities',
	content_rowid = 'seq',
	tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO activities_fts(rowid, title, summary, description, organiser,
    venue, categories, hubs)
SELECT seq, title, summary, description, organiser, venue, categories, hubs
FROM activities WHERE deleted_at IS NULL;

-- Only `hubs` changing (a hub gained or lost the spoke) re-indexes too.
CREATE TRIGGER activities_fts_insert AFTER INSERT ON activities
WHEN new.deleted_at IS NULL BEGIN
	INSERT INTO activities_fts(rowid, title, summary, description,
	    organiser, venue, categories, hubs)
	VALUES (new.seq, new.title, new.summary, new.description,
	    new.organiser, new.venue, new.categories, new.hubs);
END;

CREATE TRIGGER activities_fts_delete AFTER DELETE ON activities
WHEN old.deleted_at IS NULL BEGIN
	INSERT INTO activities_fts(activities_fts, rowid, title, summary,
	    description, organiser, venue, categories, hubs)
	VALUES ('delete', old.seq, old.title, old.summary, old.description,
	    old.organiser, old.venue, old.categories, old.hubs);
END;

CREATE TRIGGER activities_fts_update AFTER UPDATE ON activities BEGIN
	INSERT INTO activities_fts(activities_fts, rowid, title, summary,
	    description, organiser, venue, categories, hubs)
	SELECT 'delete', old.seq, old.title, old.summary, old.description,
	    old.organiser, old.venue, old.categories, old.hubs
	WHERE old.deleted_at IS NULL;
	INSERT INTO activities_fts(rowid, title, summary, description,
	    organiser, venue, categories, hubs)
	SELECT new.seq, new.title, new.summary, new.description,
	    new.organiser, new.venue, new.categories, new.hubs
	WHERE new.deleted_at IS NULL;
END;

-- An activity's hubs follow its spoke's: the store writes them with the
-- activity, and these set them again when a hub takes on or lets go of
-- the spoke.
CREATE TRIGGER hub_spokes_insert AFTER INSERT ON hub_spokes BEGIN
	UPDATE activities SET hubs = (SELECT group_concat('hub' ||
	    lower(hex(hub)), ' ') FROM hub_spokes WHERE spoke = new.spoke)
	WHERE spoke = new.spoke;
END;

CREATE TRIGGER hub_spokes_delete AFTER DELETE ON hub_spokes BEGIN
	UPDATE activities SET hubs = (SELECT group_concat('hub' ||
	    lower(hex(hub)), ' ') FROM hub_spokes WHERE spoke = old.spoke)
	WHERE spoke = old.spoke;
END;

