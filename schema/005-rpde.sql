-- 005-rpde.sql - where a paged feed (OpenActive RPDE) is to be read from
-- next.
--
-- Applied in one transaction after 004-postcodes.sql.  The new column is
-- NULL for every spoke, so an existing database reads as "start at the
-- configured address", as before.

-- An RPDE feed is a chain of pages, each a change set linking to the
-- next; a refresh follows the chain from where the last one stopped.
--   resume_url	the page the next refresh asks for first: the `next`
--		link of the last page stored (on the feed's last page,
--		its own address).  Written in the same transaction as
--		that page's activities, so it never runs ahead of what is
--		stored.  NULL: not a paged feed, or not yet read; fetch
--		current_url, or else url.
ALTER TABLE spokes ADD COLUMN resume_url TEXT;

-- A spoke given another address is another feed: where the old one had
-- got to means nothing for it.  (The configuration sync writes url with
-- an upsert, whose update part fires this.)
CREATE TRIGGER spokes_resume_reset AFTER UPDATE OF url ON spokes
WHEN old.url IS NOT new.url BEGIN
	UPDATE spokes SET resume_url = NULL WHERE id = new.id;
END;
