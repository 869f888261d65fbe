-- 003-occurrences.sql - when activities happen, where they are, and the
-- facts a kiosk filters on, kept so that every filter is a plain
-- comparison.
--
-- Applied in one transaction after 002-ingest.sql.  The new columns of
-- `activities` are filled when a refresh writes a record, so the last
-- statement here makes every stored record look changed: the next refresh
-- of each feed rewrites its activities and fills them in.

-- The search facts of an activity, copied from its record at a refresh:
--   terms		the taxonomy terms it is about, each between single
--			spaces (" art sensory "): the record's own activity
--			terms and those its published categories map to, so
--			a category filter is a substring test
--   online		1 when location.online is true, 0 when false, NULL
--   funding_bits	bit sets over the words of query.c's lists (bit i is
--   pathway_bits	word i: query_word()): the funding kinds it accepts,
--   access_bits	its pathway, its access features and the groups it
--   group_bits		is for; 0 when it says nothing
--   age_min, age_max	its age range; NULL for an open end
--   geo_lat, geo_lon	where it is: location.lat/lon, or failing those the
--			place of its postcode when the postcode table knows
--			it; NULL when neither
ALTER TABLE activities ADD COLUMN terms TEXT;
ALTER TABLE activities ADD COLUMN online INTEGER;
ALTER TABLE activities ADD COLUMN funding_bits INTEGER NOT NULL DEFAULT 0;
ALTER TABLE activities ADD COLUMN pathway_bits INTEGER NOT NULL DEFAULT 0;
ALTER TABLE activities ADD COLUMN access_bits INTEGER NOT NULL DEFAULT 0;
ALTER TABLE activities ADD COLUMN group_bits INTEGER NOT NULL DEFAULT 0;
ALTER TABLE activities ADD COLUMN age_min INTEGER;
ALTER TABLE activities ADD COLUMN age_max INTEGER;
ALTER TABLE activities ADD COLUMN geo_lat REAL;
ALTER TABLE activities ADD COLUMN geo_lon REAL;

-- Facets count live activities of a hub by these; the index lets a
-- hub's count skip tombstones without reading the records.
CREATE INDEX activities_live ON activities(spoke, seq)
	WHERE deleted_at IS NULL;

-- One occurrence of a live activity: its start and end as instants, and
-- the weekday (0 Sunday .. 6 Saturday) and minute of the day its start
-- falls on in the activity's own zone, worked out when it is written so
-- that "on Tuesdays" and "after 18:00" compare numbers.  end_minute is
-- the minute of the day of its end on the start's local day (1440 or more
-- when it ends on a later day), NULL when it has no end.  Occurrences
-- cover a window around the present (from a day ago to the horizon,
-- 90 days by default); a daily pass moves it.  A tombstone has none.
CREATE TABLE occurrences (
	activity	INTEGER NOT NULL
			    REFERENCES activities(seq) ON DELETE CASCADE,
	start_utc	INTEGER NOT NULL,
	end_utc		INTEGER,
	wday		INTEGER NOT NULL,
	minute		INTEGER NOT NULL,
	end_minute	INTEGER,
	PRIMARY KEY (activity, start_utc)
) WITHOUT ROWID;
CREATE INDEX occurrences_start ON occurrences(start_utc, activity);

-- Where each live activity with a place is, for "within 5 km" searches:
-- an R*Tree whose id is the activity's seq and whose box is the point
-- geo_lat, geo_lon.  The triggers keep it to exactly the live activities
-- that have one, in the same transaction as the write.
CREATE VIRTUAL TABLE activities_geo USING rtree(
	id, minlat, maxlat, minlon, maxlon
);

CREATE TRIGGER activities_geo_insert AFTER INSERT ON activities
WHEN new.deleted_at IS NULL AND new.geo_lat IS NOT NULL
    AND new.geo_lon IS NOT NULL BEGIN
	INSERT INTO activities_geo (id, minlat, maxlat, minlon, maxlon)
	VALUES (new.seq, new.geo_lat, new.geo_lat, new.geo_lon, new.geo_lon);
END;

CREATE TRIGGER activities_geo_update AFTER UPDATE ON activities BEGIN
	DELETE FROM activities_geo WHERE id = old.seq;
	INSERT INTO activities_geo (id, minlat, maxlat, minlon, maxlon)
	SELECT new.seq, new.geo_lat, new.geo_lat, new.geo_lon, new.geo_lon
	WHERE new.deleted_at IS NULL AND new.geo_lat IS NOT NULL
	    AND new.geo_lon IS NOT NULL;
END;

CREATE TRIGGER activities_geo_delete AFTER DELETE ON activities BEGIN
	DELETE FROM activities_geo WHERE id = old.seq;
END;

-- A tombstone loses its occurrences with its place.
CREATE TRIGGER activities_occurrences_bury AFTER UPDATE OF deleted_at
ON activities WHEN new.deleted_at IS NOT NULL BEGIN
	DELETE FROM occurrences WHERE activity = new.seq;
END;

-- Every record is rewritten at its feed's next refresh (see the top).
UPDATE activities SET content_hash = '';
