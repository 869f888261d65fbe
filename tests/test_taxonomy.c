/*
 * test_taxonomy.c - the activity vocabulary in taxonomy.c: tables of
 * published phrases with the values each must give, refusals included;
 * the consistency of the tables themselves; the categories of the demo
 * feeds; and feeds/TAXONOMY.md, which must list exactly the terms, labels
 * and phrases the code knows, so the two cannot drift apart; and the
 * publishing guide and its examples, which must name every dh: element
 * the feed modules read and stay well-formed.
 *
 * The source tree is found through DAYHUB_SRCDIR ("." when unset).
 */
#include "config.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <libxml/parser.h>

#include "dayhub.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])
#define MAX_OUT		16	/* values asked for in one call */
#define MAX_FILE	(4 * 1024 * 1024)
#define MAX_STRINGS	4096	/* distinct strings a test collects */

/* A phrase and the values it must give, space-separated ("" for none). */
struct map_case {
	const char	*in;
	const char	*want;
};

typedef size_t (*map_fn)(const char *, const char **, size_t);

static const struct map_case activity_cases[] = {
	/* The phrasings spokes publish. */
	{ "Arts & Crafts", "art crafts" },
	{ "Arts &amp; Crafts", "art crafts" },		/* escaped twice */
	{ "Art and craft", "art crafts" },
	{ "ARTS + CRAFTS", "art crafts" },
	{ "Arts 'n' Crafts", "art crafts" },
	{ "arts, crafts", "art crafts" },
	{ "Creative", "art" },
	{ "Art", "art" },
	{ "Photography", "art" },
	{ "Men's Shed", "mens-shed" },
	{ "Mens shed", "mens-shed" },
	{ "Men\xe2\x80\x99s Shed", "mens-shed" },	/* curly apostrophe */
	{ "MENS SHEDS", "mens-shed" },
	{ "Shed", "mens-shed" },
	{ "Memory cafe", "dementia-cafe" },
	{ "Memory Caf\xc3\xa9", "dementia-cafe" },
	{ "Dementia Caf\xc3\xa9", "dementia-cafe" },
	{ "Dementia Cafe\xcc\x81", "dementia-cafe" },	/* decomposed accent */
	{ "DEMENTIA CAF\xc3\x89", "dementia-cafe" },
	{ "Aqua fit", "exercise swimming" },
	{ "Aquafit", "exercise swimming" },
	{ "Hydrotherapy", "swimming" },
	{ "IT skills", "digital-skills" },
	{ "IT", "digital-skills" },
	{ "IT Help", "digital-skills" },
	{ "Computer club", "digital-skills" },
	{ "Technology", "digital-skills" },
	{ "Choir", "singing" },
	{ "Signing choir", "singing" },
	{ "Allotment", "gardening" },
	{ "Horticulture", "gardening" },
	{ "Job club", "employment" },
	{ "Jobs", "employment" },
	{ "Work skills", "employment" },
	{ "Work Experience", "employment" },
	{ "Work", "employment" },
	{ "Walks", "walking" },
	{ "Health Walks", "walking" },
	{ "Nights Out", "nights-out" },
	{ "Disco", "dance nights-out" },
	{ "Tea dance", "dance social" },
	{ "Music & Movement", "dance music" },
	{ "Gig buddies", "nights-out social" },
	{ "Lunch Club", "social" },
	{ "Befriending", "social" },
	{ "Respite", "" },		/* for the one cared for */
	{ "Respite for carers", "carers" },
	{ "Carers' coffee", "carers social" },
	{ "Independence", "life-skills" },
	{ "Travel training", "life-skills" },
	{ "Cooking skills", "cooking life-skills" },
	{ "Catering", "cooking" },
	{ "Jam making", "cooking" },
	{ "Repair Caf\xc3\xa9", "woodwork" },
	{ "Cinema", "film" },
	{ "Relaxed screening", "film" },
	{ "Green gym", "exercise gardening outdoors" },
	{ "Courses", "learning" },
	{ "Lessons", "learning" },
	{ "Training", "learning" },
	{ "Days out", "trips" },
	{ "Book club", "reading" },
	{ "Bingo", "games" },
	{ "Pool and darts", "games" },
	{ "Church", "faith" },
	{ "Care farm", "animals" },
	{ "Riding", "animals" },
	{ "Bike riding", "cycling" },
	/* Words inside a longer category, longest run first. */
	{ "Gentle Exercise for Over 60s", "exercise" },
	{ "Swimming Lessons", "swimming" },
	{ "Adult swimming lessons", "swimming" },
	{ "Walking Football", "sport" },
	{ "Walking football session", "sport" },
	{ "Horticulture work skills course", "employment gardening" },
	{ "Mosaic garden art: six-week spring course",
	    "art gardening" },
	{ "Sport > Swimming", "sport swimming" },
	{ "Activities/Arts", "art" },
	{ "Sensory friendly swim", "swimming" },
	{ "Open water swimming", "outdoors swimming" },
	{ "Clay pigeon shooting", "sport" },
	{ "Martial arts", "sport" },
	{ "Performing Arts", "drama" },
	{ "Creative writing", "reading" },
	{ "Social skills", "life-skills" },
	{ "Singing for the Brain", "singing" },
	/* OpenActive activity-list labels. */
	{ "Swimming", "swimming" },
	{ "Aqua Aerobics", "exercise swimming" },
	{ "Walking", "walking" },
	{ "Nordic Walking", "walking" },
	{ "Walking Netball", "sport" },
	{ "Boccia", "sport" },
	{ "New Age Kurling", "sport" },
	{ "Tai Chi", "exercise wellbeing" },
	{ "Yoga", "exercise wellbeing" },
	{ "Chair Based Exercise", "exercise" },
	{ "Pilates", "exercise" },
	{ "Dance", "dance" },
	{ "Zumba Gold", "dance exercise" },
	{ "Gardening", "gardening" },
	{ "Bodypump\xe2\x84\xa2", "exercise" },
	{ "Road Cycling", "cycling" },
	{ "Netball", "sport" },
	{ "Table Tennis", "sport" },
	{ "Roller blading", "sport" },
	/* The terms themselves, as a dh:activity gives them. */
	{ "dementia-cafe", "dementia-cafe" },
	{ "digital-skills", "digital-skills" },
	{ "mens-shed", "mens-shed" },
	{ "nights-out", "nights-out" },
	/* Spacing and case do not matter. */
	{ "  swimming  ", "swimming" },
	{ "Swimming\tLessons", "swimming" },
	{ "SWIMMING", "swimming" },
	{ "swimming.", "swimming" },
	/* Nothing: no activity is named. */
	{ "", "" },
	{ "   ", "" },
	{ "&", "" },
	{ "&amp;", "" },
	{ "--", "" },
	{ "xyz", "" },
	{ "Party", "social" },		/* and never art */
	{ "Partying", "" },
	{ "Departure", "" },
	{ "Artisan bakery", "" },
	{ "Smart phones", "" },
	{ "Men", "" },
	{ "Men's", "" },
	{ "Shed sale", "" },		/* "shed" counts only alone */
	{ "Heart health", "" },		/* so does "health" */
	{ "Weekend", "" },
	{ "Events", "" },
	{ "Online", "" },
	{ "Dementia", "" },		/* a group, not an activity */
	{ "Learning disability", "" },
	{ "Sensory impairment", "" },
	{ "Social care", "" },
	{ "Volunteer led", "" },
	{ "Food bank", "" },
	{ "Pool", "" },
	{ "\xff", "" },			/* not UTF-8 */
	{ "caf\xc3", "" },		/* cut off mid-character */
	{ "Walking \xc0\xaf", "" },	/* an overlong form */
	{ "\xe6\x97\xa5\xe6\x9c\xac", "" },	/* letters folded to nothing */
};

static const struct map_case access_cases[] = {
	{ "Wheelchair accessible", "wheelchair" },
	{ "Wheelchair", "wheelchair" },
	{ "Step-free access", "wheelchair" },
	{ "Level access", "wheelchair" },
	{ "Fully accessible", "wheelchair" },
	{ "Changing Places toilet", "changing_places" },
	{ "Changing Places", "changing_places" },
	{ "Hearing loop", "hearing_loop" },
	{ "Induction loop", "hearing_loop" },
	{ "British Sign Language", "bsl" },
	{ "BSL interpreter", "bsl" },
	{ "BSL", "bsl" },
	{ "Makaton", "makaton" },
	{ "Makaton signing", "makaton" },
	{ "Quiet room", "quiet_space" },
	{ "Quiet space", "quiet_space" },
	{ "Autism friendly", "sensory_friendly" },
	{ "Autism-friendly", "sensory_friendly" },
	{ "Sensory friendly", "sensory_friendly" },
	{ "Relaxed", "sensory_friendly" },
	{ "Relaxed performance", "sensory_friendly" },
	{ "Quiet swim", "sensory_friendly" },
	{ "Transport available", "transport" },
	{ "Transport", "transport" },
	{ "Minibus pick-up", "transport" },
	{ "Wheelchair accessible, hearing loop and a quiet room",
	    "wheelchair hearing_loop quiet_space" },
	{ "Step free access; Changing Places toilet & transport",
	    "wheelchair changing_places transport" },
	/* Nothing. */
	{ "Accessible toilet", "" },	/* not a Changing Places toilet */
	{ "Accessible toilets", "" },
	{ "Disabled toilet", "" },
	{ "Accessible Changing", "" },
	{ "Accessible", "" },
	{ "Relaxed walk", "" },		/* "relaxed" counts only alone */
	{ "Loop", "" },
	{ "Sign", "" },
	{ "Signing", "" },
	{ "Changing", "" },
	{ "", "" },
	{ "xyz", "" },
	{ "\xff", "" },
};

static const struct map_case group_cases[] = {
	{ "Learning disabilities", "learning_disability" },
	{ "learning disability", "learning_disability" },
	{ "Learning difficulties", "learning_disability" },
	{ "LD", "learning_disability" },
	{ "Adults with LD", "learning_disability" },
	{ "PMLD", "learning_disability" },
	{ "Physical disability", "physical_disability" },
	{ "Wheelchair users", "physical_disability" },
	{ "Autistic", "autism" },
	{ "Autistic adults", "autism" },
	{ "ASC", "autism" },
	{ "ASD", "autism" },
	{ "Autism", "autism" },
	{ "Autism friendly", "autism" },
	{ "Dementia", "dementia" },
	{ "Dementia friendly", "dementia" },
	{ "Memory loss", "dementia" },
	{ "Alzheimer's", "dementia" },
	{ "Alzheimer\xe2\x80\x99s", "dementia" },
	{ "Memory Caf\xc3\xa9", "dementia" },
	{ "Mental health", "mental_health" },
	{ "Anxiety", "mental_health" },
	{ "Over 50s", "older_adults" },
	{ "over-60s", "older_adults" },
	{ "Over 60's", "older_adults" },
	{ "60+", "older_adults" },
	{ "Older people", "older_adults" },
	{ "Older People", "older_adults" },
	{ "Seniors", "older_adults" },
	{ "Visual impairment", "sensory" },	/* OpenActive's label */
	{ "Sight loss", "sensory" },
	{ "Deaf", "sensory" },
	{ "Deaf and hard of hearing", "sensory" },
	{ "Hearing impairment", "sensory" },
	{ "Gentle Exercise for Over 60s", "older_adults" },
	{ "Older people living with dementia", "dementia older_adults" },
	/* Nothing. */
	{ "Weymouth ASC", "" },		/* a swimming club: "asc" alone only */
	{ "Sensory", "" },		/* the activity, not a group */
	{ "Hearing loop", "" },
	{ "Over", "" },
	{ "60", "" },
	{ "Young adults", "" },
	{ "Learning", "" },
	{ "", "" },
	{ "xyz", "" },
	{ "\xff", "" },
};

static const struct {
	const char	*in;
	int		 want;
} context_cases[] = {
	{ "Weekend", 1 },
	{ "Evening", 1 },
	{ "Events", 1 },
	{ "What's on", 1 },
	{ "Young Adults", 1 },
	{ "Specialist", 1 },
	{ "Day Service", 1 },
	{ "Christmas", 1 },
	{ "Online", 1 },
	{ "News", 1 },
	{ "Respite", 1 },
	{ "Weekend swimming", 0 },	/* whole categories only */
	{ "Swimming", 0 },
	{ "Travel", 0 },
	{ "", 0 },
	{ "\xff", 0 },
};

static const struct {
	const char	*in;
	const char	*want;
} normalize_cases[] = {
	{ "Arts & Crafts", "arts crafts" },
	{ "Arts and Crafts", "arts crafts" },
	{ "Men\xe2\x80\x99s  Shed!", "mens shed" },
	{ "Dementia Caf\xc3\xa9", "dementia cafe" },
	{ "CAF\xc3\x89", "cafe" },
	{ "Cafe\xcc\x81", "cafe" },
	{ "\xc3\x9c" "ber-fit", "uber fit" },
	{ "\xc5\x92uvre", "oeuvre" },
	{ "Stra\xc3\x9f" "e", "strasse" },
	{ "\xc3\x86sthetic", "aesthetic" },
	{ "50+", "50 plus" },
	{ "C++", "c" },
	{ "over-60s", "over 60s" },
	{ "Rock \xe2\x80\x99n\xe2\x80\x99 roll", "rock roll" },
	{ "Bodypump\xe2\x84\xa2", "bodypump" },
	{ "a\xe2\x80\x94" "b", "a b" },		/* em dash */
	{ "\xc2\xa3" "5 a session", "5 a session" },
	{ "x\xc3\x97y", "x y" },		/* multiplication sign */
	{ "\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac" },
	{ "&amp;", "" },
	{ "", "" },
	{ "\xff", "" },
};

/* The v1 record's lists, in their order. */
static const char *const v1_access[] = {
	"wheelchair", "changing_places", "hearing_loop", "bsl", "makaton",
	"quiet_space", "sensory_friendly", "transport",
};
static const char *const v1_groups[] = {
	"learning_disability", "physical_disability", "autism", "dementia",
	"mental_health", "older_adults", "sensory",
};

/* The values a kind's mapping gives for `in`, space-separated. */
static size_t
map_join(enum taxonomy_kind kind, const char *in, char *out, size_t len)
{
	static const map_fn fns[] = {
		[TAXONOMY_ACTIVITY] = taxonomy_activities,
		[TAXONOMY_ACCESS] = taxonomy_access,
		[TAXONOMY_GROUP] = taxonomy_groups,
	};
	const char	*v[MAX_OUT];
	size_t		 n, i, off = 0;

	out[0] = '\0';
	n = fns[kind](in, v, MAX_OUT);
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(out + off, len - off, "%s%s",
		    i == 0 ? "" : " ", v[i]);
	return n;
}

/* 1 when `value` is among what `in` maps to. */
static int
map_has(enum taxonomy_kind kind, const char *in, const char *value)
{
	char	 buf[512], *w, *save = NULL;

	map_join(kind, in, buf, sizeof buf);
	for (w = strtok_r(buf, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save))
		if (strcmp(w, value) == 0)
			return 1;
	return 0;
}

static void
run_cases(enum taxonomy_kind kind, const struct map_case *cases, size_t n)
{
	char	got[512];
	size_t	i;

	for (i = 0; i < n; i++) {
		map_join(kind, cases[i].in, got, sizeof got);
		cr_expect_str_eq(got, cases[i].want, "\"%s\" gave \"%s\", want "
		    "\"%s\"", cases[i].in, got, cases[i].want);
	}
}

Test(taxonomy, activity_table)
{
	run_cases(TAXONOMY_ACTIVITY, activity_cases, nitems(activity_cases));
}

Test(taxonomy, access_table)
{
	run_cases(TAXONOMY_ACCESS, access_cases, nitems(access_cases));
}

Test(taxonomy, group_table)
{
	run_cases(TAXONOMY_GROUP, group_cases, nitems(group_cases));
}

Test(taxonomy, context_table)
{
	size_t	i;

	for (i = 0; i < nitems(context_cases); i++)
		cr_expect_eq(taxonomy_context(context_cases[i].in),
		    context_cases[i].want, "taxonomy_context(\"%s\") is not %d",
		    context_cases[i].in, context_cases[i].want);
	cr_expect_eq(taxonomy_context(NULL), 0);
}

Test(taxonomy, normalize_table)
{
	char	out[512];
	size_t	i, n;

	for (i = 0; i < nitems(normalize_cases); i++) {
		n = taxonomy_normalize(normalize_cases[i].in, out, sizeof out);
		cr_expect_str_eq(out, normalize_cases[i].want, "\"%s\" became "
		    "\"%s\", want \"%s\"", normalize_cases[i].in, out,
		    normalize_cases[i].want);
		cr_expect_eq(n, strlen(normalize_cases[i].want));
	}
	/* Too small a buffer gives "" rather than a cut form. */
	cr_expect_eq(taxonomy_normalize("swimming", out, 8), 0);
	cr_expect_str_eq(out, "");
	cr_expect_eq(taxonomy_normalize("swimming", out, 9), 8);
	cr_expect_eq(taxonomy_normalize(NULL, out, sizeof out), 0);
	cr_expect_eq(taxonomy_normalize("swimming", NULL, 0), 0);
}

Test(taxonomy, null_and_limits)
{
	const char	*v[MAX_OUT];
	char		 buf[512];

	cr_expect_eq(taxonomy_activities(NULL, v, MAX_OUT), 0);
	cr_expect_eq(taxonomy_access(NULL, v, MAX_OUT), 0);
	cr_expect_eq(taxonomy_groups(NULL, v, MAX_OUT), 0);
	/* max bounds what is stored; the order stays the vocabulary's. */
	cr_expect_eq(taxonomy_activities("Swimming", NULL, 0), 0);
	cr_expect_eq(taxonomy_activities("Swimming", v, 0), 0);
	cr_expect_eq(taxonomy_activities("Green gym", v, 1), 1);
	cr_expect_str_eq(v[0], "exercise");
	cr_expect_eq(taxonomy_activities("Green gym", v, 2), 2);
	cr_expect_str_eq(v[1], "gardening");

	/* TAXONOMY_MAX_PHRASE bytes are read; one more, nothing is. */
	memset(buf, ' ', sizeof buf);
	memcpy(buf + TAXONOMY_MAX_PHRASE - 3, "art", 4);
	cr_expect_eq(strlen(buf), TAXONOMY_MAX_PHRASE);
	cr_expect_eq(taxonomy_activities(buf, v, MAX_OUT), 1);
	memset(buf, ' ', sizeof buf);
	memcpy(buf + TAXONOMY_MAX_PHRASE - 2, "art", 4);
	cr_expect_eq(taxonomy_activities(buf, v, MAX_OUT), 0,
	    "a phrase of %zu bytes was read", strlen(buf));
	cr_expect_eq(taxonomy_access(buf, v, MAX_OUT), 0);

	/* 300 bytes of words that would match. */
	memset(buf, 0, sizeof buf);
	while (strlen(buf) < 300)
		strcat(buf, "art swimming ");
	cr_expect_eq(taxonomy_activities(buf, v, MAX_OUT), 0);
	cr_expect_eq(taxonomy_groups(buf, v, MAX_OUT), 0);
	cr_expect_eq(taxonomy_context(buf), 0);
	cr_expect_eq(taxonomy_normalize(buf, buf, sizeof buf), 0);

	/* Many short words within the limit: every one is read. */
	memset(buf, 0, sizeof buf);
	while (strlen(buf) + 4 <= TAXONOMY_MAX_PHRASE)
		strcat(buf, "a b ");
	cr_expect_eq(taxonomy_activities(buf, v, MAX_OUT), 0);
	memcpy(buf + strlen(buf) - 4, "art ", 4);
	cr_expect_eq(taxonomy_activities(buf, v, MAX_OUT), 1);
}

Test(taxonomy, vocabulary)
{
	const char	*t, *prev = NULL, *label, *p;
	size_t		 i, n = taxonomy_count();

	cr_expect(n >= 25 && n <= 35, "%zu terms: a kiosk shows each as a "
	    "button, so keep them 25 to 35", n);
	for (i = 0; i < n; i++) {
		t = taxonomy_term_at(i);
		cr_assert_not_null(t);
		for (p = t; *p != '\0'; p++)
			cr_expect((*p >= 'a' && *p <= 'z') || *p == '-',
			    "term \"%s\": lower case and '-' only", t);
		cr_expect(t[0] != '-' && t[strlen(t) - 1] != '-');
		if (prev != NULL)
			cr_expect(strcmp(prev, t) < 0, "terms out of order: "
			    "\"%s\" before \"%s\"", prev, t);
		prev = t;
		cr_expect(taxonomy_term_valid(t), "\"%s\" is not valid", t);
		label = taxonomy_term_label(t);
		cr_assert_not_null(label, "\"%s\" has no label", t);
		cr_expect(label[0] >= 'A' && label[0] <= 'Z',
		    "the label of \"%s\" starts with a capital", t);
		cr_expect_str_eq(label, taxonomy_value_label(TAXONOMY_ACTIVITY,
		    t));
		/* The term, and its label, both read as the term. */
		cr_expect(map_has(TAXONOMY_ACTIVITY, t, t),
		    "\"%s\" does not map to itself", t);
		cr_expect(map_has(TAXONOMY_ACTIVITY, label, t),
		    "the label \"%s\" does not map to \"%s\"", label, t);
	}
	cr_expect_null(taxonomy_term_at(n));
	cr_expect_null(taxonomy_term_at((size_t)-1));
	cr_expect_str_eq(taxonomy_term_label("dementia-cafe"),
	    "Dementia cafe");
	cr_expect_null(taxonomy_term_label("Dementia cafe"));
	cr_expect_null(taxonomy_term_label(NULL));
	cr_expect_not(taxonomy_term_valid("Swimming"));
	cr_expect_not(taxonomy_term_valid("swimming "));
	cr_expect_not(taxonomy_term_valid(""));
	cr_expect_not(taxonomy_term_valid(NULL));
	cr_expect_not(taxonomy_term_valid("wheelchair"));
	cr_expect_null(taxonomy_value_at(TAXONOMY_CONTEXT, 0));
	cr_expect_null(taxonomy_value_at((enum taxonomy_kind)99, 0));
	cr_expect_null(taxonomy_phrase_at((enum taxonomy_kind)99, 0, NULL));
}

Test(taxonomy, v1_values)
{
	size_t	i;

	for (i = 0; i < nitems(v1_access); i++) {
		cr_expect_str_eq(taxonomy_value_at(TAXONOMY_ACCESS, i),
		    v1_access[i]);
		cr_expect_not_null(taxonomy_value_label(TAXONOMY_ACCESS,
		    v1_access[i]));
		cr_expect(map_has(TAXONOMY_ACCESS, taxonomy_value_label(
		    TAXONOMY_ACCESS, v1_access[i]), v1_access[i]),
		    "the label of %s does not map back", v1_access[i]);
	}
	cr_expect_null(taxonomy_value_at(TAXONOMY_ACCESS, i));
	for (i = 0; i < nitems(v1_groups); i++) {
		cr_expect_str_eq(taxonomy_value_at(TAXONOMY_GROUP, i),
		    v1_groups[i]);
		cr_expect_not_null(taxonomy_value_label(TAXONOMY_GROUP,
		    v1_groups[i]));
	}
	cr_expect_null(taxonomy_value_at(TAXONOMY_GROUP, i));
	cr_expect_str_eq(taxonomy_value_label(TAXONOMY_GROUP, "sensory"),
	    "Sight or hearing loss");
	cr_expect_str_eq(taxonomy_value_label(TAXONOMY_ACTIVITY, "sensory"),
	    "Sensory");
}

/*
 * Every phrase of every table: in normal form, once, and mapping (as a
 * whole) only to values of its kind, every value with at least one
 * phrase.
 */
Test(taxonomy, phrase_tables)
{
	static const enum taxonomy_kind kinds[] = {
		TAXONOMY_ACTIVITY, TAXONOMY_ACCESS, TAXONOMY_GROUP,
		TAXONOMY_CONTEXT,
	};
	const char	*p, *v[MAX_OUT], *val;
	char		 norm[512], got[512], *w, *save;
	size_t		 k, i, j, n, nothing;
	int		 whole;

	for (k = 0; k < nitems(kinds); k++) {
		nothing = 0;
		for (i = 0; (p = taxonomy_phrase_at(kinds[k], i, &whole)) !=
		    NULL; i++) {
			taxonomy_normalize(p, norm, sizeof norm);
			cr_expect_str_eq(norm, p, "phrase \"%s\" is not in "
			    "normal form (\"%s\")", p, norm);
			for (j = 0; j < i; j++)
				cr_expect_str_neq(taxonomy_phrase_at(kinds[k],
				    j, NULL), p, "\"%s\" twice in table %zu",
				    p, k);
			if (kinds[k] == TAXONOMY_CONTEXT) {
				cr_expect(whole, "context \"%s\" not whole", p);
				cr_expect(taxonomy_context(p));
				/* A word for when or who names no activity. */
				cr_expect_eq(taxonomy_activities(p, v, MAX_OUT),
				    0, "context \"%s\" is an activity", p);
				continue;
			}
			n = map_join(kinds[k], p, got, sizeof got);
			if (n == 0)
				nothing++;
			save = NULL;
			for (w = strtok_r(got, " ", &save); w != NULL;
			    w = strtok_r(NULL, " ", &save))
				cr_expect_not_null(taxonomy_value_label(
				    kinds[k], w), "\"%s\" maps to an unknown "
				    "value \"%s\"", p, w);
		}
		cr_expect(i > 0, "table %zu is empty", k);
		cr_expect(nothing <= 16, "table %zu: %zu phrases that mean "
		    "nothing; they are for exceptions only", k, nothing);
		/* Every value has a phrase. */
		for (i = 0; (val = taxonomy_value_at(kinds[k], i)) != NULL;
		    i++) {
			for (j = 0; (p = taxonomy_phrase_at(kinds[k], j,
			    NULL)) != NULL; j++)
				if (map_has(kinds[k], p, val))
					break;
			cr_expect_not_null(p, "no phrase maps to \"%s\"", val);
		}
	}
}

/* Mapping from several threads at once gives the same answers. */
static void *
thread_main(void *arg)
{
	char		 got[512];
	size_t		 i, round, *bad = arg;

	for (round = 0; round < 50; round++)
		for (i = 0; i < nitems(activity_cases); i++) {
			map_join(TAXONOMY_ACTIVITY, activity_cases[i].in, got,
			    sizeof got);
			if (strcmp(got, activity_cases[i].want) != 0)
				(*bad)++;
		}
	return NULL;
}

Test(taxonomy, threads)
{
	pthread_t	t[4];
	size_t		bad[4] = { 0 }, i;

	for (i = 0; i < nitems(t); i++)
		cr_assert_eq(pthread_create(&t[i], NULL, thread_main, &bad[i]),
		    0);
	for (i = 0; i < nitems(t); i++) {
		pthread_join(t[i], NULL);
		cr_expect_eq(bad[i], 0, "thread %zu: %zu wrong answers", i,
		    bad[i]);
	}
}

/* --- files of the source tree --- */

struct strings {
	char	*v[MAX_STRINGS];
	size_t	 n;
};

static const char *
srcdir(void)
{
	const char	*s = getenv("DAYHUB_SRCDIR");

	return s != NULL && *s != '\0' ? s : ".";
}

/* Reads a whole file (at most MAX_FILE bytes), NUL-terminated. */
static char *
slurp(const char *path)
{
	FILE	*f;
	char	*buf;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	buf = malloc(MAX_FILE + 1);
	cr_assert_not_null(buf);
	n = fread(buf, 1, MAX_FILE, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Adds a copy of the `len` bytes at `s` unless already there. */
static void
strings_add(struct strings *set, const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < set->n; i++)
		if (strlen(set->v[i]) == len && memcmp(set->v[i], s, len) == 0)
			return;
	cr_assert_lt(set->n, MAX_STRINGS);
	set->v[set->n] = strndup(s, len);
	cr_assert_not_null(set->v[set->n]);
	set->n++;
}

static int
strings_has(const struct strings *set, const char *s)
{
	size_t	i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->v[i], s) == 0)
			return 1;
	return 0;
}

static void
strings_free(struct strings *set)
{
	size_t	i;

	for (i = 0; i < set->n; i++)
		free(set->v[i]);
	set->n = 0;
}

/* Replaces the five XML entities and numeric references in place. */
static void
xml_unescape(char *s)
{
	static const struct {
		const char	*ent;
		char		 c;
	} ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&apos;", '\'' },
	};
	char	*r = s, *w = s, *end;
	size_t	 i;
	long	 cp;

	while (*r != '\0') {
		if (*r == '&') {
			for (i = 0; i < nitems(ents); i++)
				if (strncmp(r, ents[i].ent,
				    strlen(ents[i].ent)) == 0)
					break;
			if (i < nitems(ents)) {
				*w++ = ents[i].c;
				r += strlen(ents[i].ent);
				continue;
			}
			if (r[1] == '#') {
				cp = r[2] == 'x' ? strtol(r + 3, &end, 16) :
				    strtol(r + 2, &end, 10);
				if (*end == ';' && cp > 0 && cp < 0x80) {
					*w++ = (char)cp;
					r = end + 1;
					continue;
				}
			}
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/* Every distinct <category> text of one RSS file. */
static void
rss_categories(const char *path, struct strings *set)
{
	char	*doc, *p, *gt, *end, *text;

	doc = slurp(path);
	cr_assert_not_null(doc, "cannot read %s", path);
	for (p = doc; (p = strstr(p, "<category")) != NULL; p = end) {
		if ((gt = strchr(p, '>')) == NULL ||
		    (end = strstr(gt, "</category>")) == NULL)
			break;
		if (gt[-1] == '/') {		/* <category/> */
			end = gt;
			continue;
		}
		text = strndup(gt + 1, (size_t)(end - gt - 1));
		cr_assert_not_null(text);
		if (strncmp(text, "<![CDATA[", 9) == 0 &&
		    strlen(text) >= 12) {
			memmove(text, text + 9, strlen(text + 9) + 1);
			text[strlen(text) - 3] = '\0';
		} else
			xml_unescape(text);
		strings_add(set, text, strlen(text));
		free(text);
	}
	free(doc);
}

/*
 * Most categories the demo spokes publish map to an activity term, and
 * nearly all are understood somehow: as a term, an access or groups value,
 * or a word for when or who.
 */
Test(taxonomy, demo_categories)
{
	struct strings	 set = { .n = 0 };
	const char	*v[MAX_OUT];
	char		 dir[4096], path[8192];
	struct dirent	*de;
	DIR		*d;
	size_t		 i, len, nfiles = 0, nterm = 0, nknown = 0;
	int		 term, known;

	snprintf(dir, sizeof dir, "%s/feeds/demo", srcdir());
	d = opendir(dir);
	cr_assert_not_null(d, "cannot open %s (is DAYHUB_SRCDIR set?)", dir);
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".rss") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		rss_categories(path, &set);
		nfiles++;
	}
	closedir(d);
	cr_assert_gt(nfiles, 0, "no .rss files in %s", dir);
	cr_assert_gt(set.n, 20, "only %zu categories in the demo", set.n);

	for (i = 0; i < set.n; i++) {
		term = taxonomy_activities(set.v[i], v, MAX_OUT) > 0;
		known = term || taxonomy_access(set.v[i], v, MAX_OUT) > 0 ||
		    taxonomy_groups(set.v[i], v, MAX_OUT) > 0 ||
		    taxonomy_context(set.v[i]);
		nterm += term;
		nknown += known;
		if (!known)
			printf("demo category not understood: \"%s\"\n",
			    set.v[i]);
		else if (!term)
			printf("demo category with no activity term: \"%s\"\n",
			    set.v[i]);
	}
	printf("demo categories: %zu distinct in %zu feeds, %zu (%zu%%) map "
	    "to an activity term, %zu (%zu%%) are understood\n", set.n,
	    nfiles, nterm, nterm * 100 / set.n, nknown, nknown * 100 / set.n);
	cr_expect(nknown * 10 >= set.n * 9, "only %zu of %zu demo categories "
	    "are understood", nknown, set.n);
	cr_expect(nterm * 4 >= set.n * 3, "only %zu of %zu demo categories "
	    "map to an activity term", nterm, set.n);
	strings_free(&set);
}

/* --- feeds/TAXONOMY.md says the same as the code --- */

#define DOC_MAX_CELLS	8

/* One row of a table in the document, and the section it is in. */
struct doc_row {
	char	*section;		/* the "## " heading, without it */
	char	*cells[DOC_MAX_CELLS];	/* trimmed */
	size_t	 ncells;
};

struct doc {
	char		*text;
	struct doc_row	 rows[512];
	size_t		 nrows;
};

static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/*
 * Reads the table rows of the document: the header row and the rule
 * under it are skipped, cells are split on '|'.
 */
static void
doc_load(struct doc *d)
{
	char	 path[4096], *line, *next, *section = NULL, *cell, *bar;
	int	 intable = 0;

	snprintf(path, sizeof path, "%s/feeds/TAXONOMY.md", srcdir());
	d->text = slurp(path);
	cr_assert_not_null(d->text, "cannot read %s", path);
	d->nrows = 0;
	for (line = d->text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strncmp(line, "## ", 3) == 0) {
			section = trim(line + 3);
			intable = 0;
			continue;
		}
		if (line[0] != '|') {
			intable = 0;
			continue;
		}
		if (!intable++ || strncmp(line, "|-", 2) == 0 ||
		    strncmp(line, "| -", 3) == 0)
			continue;	/* the header, or the rule under it */
		cr_assert_lt(d->nrows, nitems(d->rows));
		d->rows[d->nrows].section = section;
		d->rows[d->nrows].ncells = 0;
		cell = line + 1;
		while ((bar = strchr(cell, '|')) != NULL &&
		    d->rows[d->nrows].ncells < DOC_MAX_CELLS) {
			*bar = '\0';
			d->rows[d->nrows].cells[d->rows[d->nrows].ncells++] =
			    trim(cell);
			cell = bar + 1;
		}
		d->nrows++;
	}
}

/* Splits a cell of "a, b (alone), c" into `set`. */
static void
doc_phrases(const char *cell, struct strings *set)
{
	const char	*p = cell, *comma;

	while (*p != '\0') {
		if ((comma = strstr(p, ", ")) == NULL)
			comma = p + strlen(p);
		if (comma > p)
			strings_add(set, p, (size_t)(comma - p));
		p = *comma != '\0' ? comma + 2 : comma;
	}
}

/* The phrases of a kind that map to `value` (NULL: to nothing). */
static void
code_phrases(enum taxonomy_kind kind, const char *value, struct strings *set)
{
	const char	*p;
	char		 buf[512];
	size_t		 i;
	int		 whole, hit;

	for (i = 0; (p = taxonomy_phrase_at(kind, i, &whole)) != NULL; i++) {
		if (kind == TAXONOMY_CONTEXT)
			hit = 1;
		else if (value == NULL)
			hit = map_join(kind, p, buf, sizeof buf) == 0;
		else
			hit = map_has(kind, p, value);
		if (!hit)
			continue;
		/* Context words are all whole categories: no mark needed. */
		snprintf(buf, sizeof buf, "%s%s", p,
		    whole && kind != TAXONOMY_CONTEXT ? " (alone)" : "");
		strings_add(set, buf, strlen(buf));
	}
}

/* Both ways: what the code has that the document lacks, and the reverse. */
static void
same_phrases(const char *what, const struct strings *code,
    const struct strings *doc)
{
	size_t	i;

	for (i = 0; i < code->n; i++)
		cr_expect(strings_has(doc, code->v[i]), "%s: the code has "
		    "\"%s\", feeds/TAXONOMY.md does not", what, code->v[i]);
	for (i = 0; i < doc->n; i++)
		cr_expect(strings_has(code, doc->v[i]), "%s: feeds/TAXONOMY.md "
		    "has \"%s\", the code does not", what, doc->v[i]);
}

/*
 * A section of rows | `value` | Label | ... | phrases |: one row for each
 * value of the kind, with its label and exactly its phrases.
 */
static void
check_values(struct doc *d, const char *section, enum taxonomy_kind kind)
{
	struct strings	 code = { .n = 0 }, doc = { .n = 0 };
	const char	*val;
	char		 name[128];
	size_t		 i, r, found, last, len;

	/* No row names a value the code does not have. */
	for (r = 0; r < d->nrows; r++) {
		if (d->rows[r].section == NULL ||
		    strcmp(d->rows[r].section, section) != 0)
			continue;
		cr_assert_geq(d->rows[r].ncells, 3, "%s: a short row",
		    section);
		val = d->rows[r].cells[0];
		len = strlen(val);
		cr_expect(len > 2 && len < sizeof name && val[0] == '`' &&
		    val[len - 1] == '`', "%s: %s is not in `backquotes`",
		    section, val);
		if (len <= 2 || len >= sizeof name)
			continue;
		memcpy(name, val + 1, len - 2);
		name[len - 2] = '\0';
		cr_expect_not_null(taxonomy_value_label(kind, name),
		    "%s: %s is not a value the code knows", section, val);
	}
	for (i = 0; (val = taxonomy_value_at(kind, i)) != NULL; i++) {
		snprintf(name, sizeof name, "`%s`", val);
		found = 0;
		for (r = 0; r < d->nrows; r++) {
			if (d->rows[r].section == NULL ||
			    strcmp(d->rows[r].section, section) != 0 ||
			    strcmp(d->rows[r].cells[0], name) != 0)
				continue;
			found++;
			cr_expect_str_eq(d->rows[r].cells[1],
			    taxonomy_value_label(kind, val), "%s: the label of "
			    "%s", section, val);
			last = d->rows[r].ncells - 1;
			strings_free(&doc);
			strings_free(&code);
			doc_phrases(d->rows[r].cells[last], &doc);
			code_phrases(kind, val, &code);
			same_phrases(val, &code, &doc);
		}
		cr_expect_eq(found, 1, "%s: %zu rows for %s in feeds/"
		    "TAXONOMY.md", section, found, name);
	}
	strings_free(&doc);
	strings_free(&code);
}

Test(taxonomy, document)
{
	static const struct {
		const char		*name;
		enum taxonomy_kind	 kind;
	} nothing[] = {
		{ "activity", TAXONOMY_ACTIVITY },
		{ "access", TAXONOMY_ACCESS },
		{ "groups", TAXONOMY_GROUP },
	};
	static struct doc	 docfile;	/* too big for the stack */
	struct doc		*d = &docfile;
	struct strings		 code = { .n = 0 }, doc = { .n = 0 };
	size_t			 i, r;

	doc_load(d);
	check_values(d, "Activity terms", TAXONOMY_ACTIVITY);
	check_values(d, "Access values", TAXONOMY_ACCESS);
	check_values(d, "Groups values", TAXONOMY_GROUP);

	/* | table | phrases | rows of phrases that map to nothing. */
	for (i = 0; i < nitems(nothing); i++) {
		code_phrases(nothing[i].kind, NULL, &code);
		for (r = 0; r < d->nrows; r++)
			if (d->rows[r].section != NULL &&
			    strcmp(d->rows[r].section, "Phrases that mean "
			    "nothing") == 0 && d->rows[r].ncells >= 2 &&
			    strcmp(d->rows[r].cells[0], nothing[i].name) == 0)
				doc_phrases(d->rows[r].cells[1], &doc);
		same_phrases(nothing[i].name, &code, &doc);
		strings_free(&code);
		strings_free(&doc);
	}

	/* The words that name no activity, in any row of their section. */
	code_phrases(TAXONOMY_CONTEXT, NULL, &code);
	for (r = 0; r < d->nrows; r++)
		if (d->rows[r].section != NULL && strcmp(d->rows[r].section,
		    "Categories that name no activity") == 0 &&
		    d->rows[r].ncells >= 2)
			doc_phrases(d->rows[r].cells[d->rows[r].ncells - 1],
			    &doc);
	same_phrases("context", &code, &doc);
	strings_free(&code);
	strings_free(&doc);
	free(d->text);
}

/* --- feeds/PUBLISHING.md and feeds/examples --- */

/*
 * Every dh: element of the feed modules' shared table (read from the
 * source of plugins/feedutil.c, so no module is loaded) has a row in the
 * guide with its X-DAYHUB- name, and the guide has no row the table lacks.
 */
Test(taxonomy, publishing_guide)
{
	static const char *const native[] = {	/* standard in iCalendar */
		"rrule", "duration", "exdate", "timezone",
	};
	struct strings	 code = { .n = 0 };
	char		 path[4096], row[128], xname[128], *src, *guide, *p, *q;
	char		*line;
	size_t		 i, k, len;
	int		 std;

	snprintf(path, sizeof path, "%s/plugins/feedutil.c", srcdir());
	src = slurp(path);
	cr_assert_not_null(src, "cannot read %s", path);
	snprintf(path, sizeof path, "%s/feeds/PUBLISHING.md", srcdir());
	guide = slurp(path);
	cr_assert_not_null(guide, "cannot read %s", path);

	for (p = src; (p = strstr(p, "FEEDUTIL_NS_DH, \"")) != NULL; p = q) {
		p += strlen("FEEDUTIL_NS_DH, \"");
		if ((q = strchr(p, '"')) == NULL)
			break;
		strings_add(&code, p, (size_t)(q - p));
	}
	cr_assert_geq(code.n, 30, "only %zu dh: elements found in "
	    "plugins/feedutil.c", code.n);
	for (i = 0; i < code.n; i++) {
		snprintf(row, sizeof row, "\n| `dh:%s` |", code.v[i]);
		cr_expect_not_null(strstr(guide, row), "feeds/PUBLISHING.md "
		    "has no row for dh:%s", code.v[i]);
		for (std = 0, k = 0; k < nitems(native); k++)
			std |= strcmp(code.v[i], native[k]) == 0;
		len = (size_t)snprintf(xname, sizeof xname, "`X-DAYHUB-");
		for (p = code.v[i]; *p != '\0' && len + 2 < sizeof xname; p++)
			xname[len++] = *p >= 'a' && *p <= 'z' ?
			    (char)(*p - 'a' + 'A') : *p;
		xname[len++] = '`';
		xname[len] = '\0';
		if (!std && (p = strstr(guide, row)) != NULL) {
			q = strchr(p + 1, '\n');
			line = strndup(p, q != NULL ? (size_t)(q - p) :
			    strlen(p));
			cr_assert_not_null(line);
			cr_expect_not_null(strstr(line, xname), "the row of "
			    "dh:%s does not name %s", code.v[i], xname);
			free(line);
		}
	}
	/* No row for an element the modules do not read. */
	for (p = guide; (p = strstr(p, "\n| `dh:")) != NULL; p = q) {
		p += strlen("\n| `dh:");
		if ((q = strchr(p, '`')) == NULL)
			break;
		line = strndup(p, (size_t)(q - p));
		cr_assert_not_null(line);
		cr_expect(strings_has(&code, line), "feeds/PUBLISHING.md has a "
		    "row for dh:%s, which the modules do not read", line);
		free(line);
	}
	strings_free(&code);
	free(src);
	free(guide);
}

/* The XML examples are well-formed, and their roots are the format's. */
Test(taxonomy, examples_xml)
{
	static const struct {
		const char	*file;
		const char	*root;
	} xml[] = {
		{ "example.rss", "rss" },
		{ "example.atom", "feed" },
		{ "example.xcal.xml", "icalendar" },
	};
	char		 path[4096];
	xmlDocPtr	 doc;
	size_t		 i;

	for (i = 0; i < nitems(xml); i++) {
		snprintf(path, sizeof path, "%s/feeds/examples/%s", srcdir(),
		    xml[i].file);
		doc = xmlReadFile(path, NULL, XML_PARSE_NONET |
		    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
		cr_expect_not_null(doc, "%s is not well-formed XML", path);
		if (doc == NULL)
			continue;
		cr_expect_str_eq((const char *)xmlDocGetRootElement(doc)->name,
		    xml[i].root, "%s: the root element", path);
		xmlFreeDoc(doc);
	}
	xmlCleanupParser();
}

/* The JSON examples parse, the web page's JSON-LD scripts too. */
Test(taxonomy, examples_json)
{
	char		 path[4096], *page, *p, *end;
	json_t		*j;
	json_error_t	 jerr;
	size_t		 n = 0;

	snprintf(path, sizeof path, "%s/feeds/examples/example-rpde.json",
	    srcdir());
	j = json_load_file(path, 0, &jerr);
	cr_expect_not_null(j, "%s:%d: %s", path, jerr.line, jerr.text);
	if (j != NULL) {
		cr_expect_eq(json_array_size(json_object_get(j, "items")), 2);
		json_decref(j);
	}

	snprintf(path, sizeof path, "%s/feeds/examples/example-jsonld.html",
	    srcdir());
	page = slurp(path);
	cr_assert_not_null(page, "cannot read %s", path);
	for (p = page; (p = strstr(p, "<script type=\"application/ld+json\">"))
	    != NULL; p = end) {
		p = strchr(p, '>') + 1;
		if ((end = strstr(p, "</script>")) == NULL)
			break;
		j = json_loadb(p, (size_t)(end - p), 0, &jerr);
		cr_expect_not_null(j, "%s: a JSON-LD script: line %d: %s",
		    path, jerr.line, jerr.text);
		json_decref(j);
		n++;
	}
	cr_expect_gt(n, 0, "%s has no JSON-LD script", path);
	free(page);
}

/*
 * The iCalendar example keeps RFC 5545's shape: CRLF line ends, lines of
 * at most 75 octets, folded lines that start with a space, BEGIN and END
 * in balance.
 */
Test(taxonomy, examples_ics)
{
	char	 path[4096], *ics, *p, *eol, stack[8][32];
	size_t	 depth = 0, lineno = 0, len;

	snprintf(path, sizeof path, "%s/feeds/examples/example.ics", srcdir());
	ics = slurp(path);
	cr_assert_not_null(ics, "cannot read %s", path);
	cr_expect_eq(strncmp(ics, "BEGIN:VCALENDAR\r\n", 17), 0);
	for (p = ics; *p != '\0'; p = eol + 2) {
		lineno++;
		eol = strstr(p, "\r\n");
		cr_assert_not_null(eol, "line %zu does not end in CRLF",
		    lineno);
		len = (size_t)(eol - p);
		cr_expect_leq(len, 75, "line %zu is %zu octets", lineno, len);
		cr_expect_null(memchr(p, '\n', len), "a bare LF in line %zu",
		    lineno);
		if (strncmp(p, "BEGIN:", 6) == 0) {
			cr_assert_lt(depth, nitems(stack));
			snprintf(stack[depth++], sizeof stack[0], "%.*s",
			    (int)(len - 6), p + 6);
		} else if (strncmp(p, "END:", 4) == 0) {
			cr_assert_gt(depth, 0, "END without BEGIN, line %zu",
			    lineno);
			depth--;
			cr_expect_eq(strncmp(stack[depth], p + 4, len - 4), 0,
			    "line %zu ends %s", lineno, stack[depth]);
		}
	}
	cr_expect_eq(depth, 0, "a component is not closed");
	free(ics);
}
