-- 004-postcodes.sql - where UK postcodes are, for searches "near DT1 1HF".
--
-- Filled by an import of a postcode file (the ONS Postcode Directory, or a
-- plain postcode,lat,lon file), never by feeds; an import merges into
-- what is there.  Coordinates are WGS84 decimal degrees.

-- One live postcode, written the Royal Mail way ("DT1 1HF": the outward
-- code, one space, the inward code) so lookups need no normalising in
-- SQL.  outcode is the part before the space, kept as a column so the
-- outward codes' centroids are one GROUP BY.  The index on it also holds
-- lat and lon, so that GROUP BY reads the index alone rather than
-- searching the table once per postcode.
CREATE TABLE postcodes (
	postcode	TEXT PRIMARY KEY NOT NULL,
	outcode		TEXT NOT NULL,
	lat		REAL NOT NULL,
	lon		REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX postcodes_outcode ON postcodes(outcode, lat, lon);

-- One outward code ("DT1"), placed at the mean of its postcodes, so that
-- someone who gives only the start of a postcode is still placed.  Derived
-- from `postcodes` at the end of every import, in the same transaction;
-- `postcodes` is how many it was derived from.
CREATE TABLE outcodes (
	outcode		TEXT PRIMARY KEY NOT NULL,
	lat		REAL NOT NULL,
	lon		REAL NOT NULL,
	postcodes	INTEGER NOT NULL
) WITHOUT ROWID;
