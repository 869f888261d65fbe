/*
 * store_int.h - what the store's own files share, and nobody else.
 *
 * The store is the only part of dayhub that speaks SQL.  It is split by
 * subject (store.c: the database, feeds and the directory; store_geo.c:
 * postcodes and places); these are the few things they share.
 */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <sqlite3.h>

struct store;

sqlite3	*store_handle(struct store *);

#endif /* STORE_INT_H */
