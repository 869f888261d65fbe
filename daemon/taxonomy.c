/*
 * taxonomy.c - dayhub's vocabulary of activity kinds, and the phrases
 * spokes publish mapped onto it and onto the v1 access and groups values.
 *
 * Spokes label their sessions in their own words: "Arts & Crafts", "Men's
 * Shed", "Memory Café", "Aqua fit", "Gentle exercise for over 60s".  A
 * kiosk needs a short fixed list of buttons instead, so every published
 * phrase is read through a table of known phrasings.  Nothing here guesses
 * at word endings: "Walks" means walking because a row says so, which
 * keeps "Art" from matching "Party" and "Men" from meaning a men's shed.
 *
 * A phrase is first normalised: ASCII letters lower-cased, accents on
 * Latin letters folded ("Café" is "cafe"), apostrophes dropped ("Men's" is
 * "mens"), every other mark a word break, "&", "and", "'n'" and a doubly
 * escaped "&amp;" dropped, and a '+' after a number read as "plus" ("50+"
 * is "50 plus").  The whole phrase is then looked up; when it is not in the
 * table, its words are scanned from the left for the longest run of them
 * that is, so "Walking Football Session" is sport and not walking, and
 * "Swimming Lessons" is swimming.  Some rows count only as the whole
 * phrase ("Lessons" alone is learning; inside "Swimming Lessons" it says
 * nothing), and some rows map to nothing on purpose ("Sensory impairment"
 * is not a sensory session).
 *
 * The tables are constant and the work is done in a buffer on the stack,
 * so every function here may be called from any thread, and none of them
 * allocates.  feeds/TAXONOMY.md lists the same tables for people; a test
 * keeps the two in step.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "dayhub.h"

#define TAX_MAX_NORM	1024	/* bytes of a normalised phrase */
#define TAX_MAX_WORDS	TAXONOMY_MAX_PHRASE	/* a word per input byte */

#define nitems(a)	(sizeof (a) / sizeof (a)[0])
#define B(v)		(UINT64_C(1) << (v))

/* The activity terms, in the order every answer lists them. */
enum {
	T_ANIMALS,
	T_ART,
	T_CARERS,
	T_COOKING,
	T_CRAFTS,
	T_CYCLING,
	T_DANCE,
	T_DEMENTIA_CAFE,
	T_DIGITAL_SKILLS,
	T_DRAMA,
	T_EMPLOYMENT,
	T_EXERCISE,
	T_FAITH,
	T_FILM,
	T_GAMES,
	T_GARDENING,
	T_LEARNING,
	T_LIFE_SKILLS,
	T_MENS_SHED,
	T_MUSIC,
	T_NIGHTS_OUT,
	T_OUTDOORS,
	T_POTTERY,
	T_READING,
	T_SENSORY,
	T_SINGING,
	T_SOCIAL,
	T_SPORT,
	T_SWIMMING,
	T_TRIPS,
	T_VOLUNTEERING,
	T_WALKING,
	T_WELLBEING,
	T_WOODWORK,
	T_NTERMS
};

/* The v1 access values, in the order of the record's list. */
enum {
	A_WHEELCHAIR,
	A_CHANGING_PLACES,
	A_HEARING_LOOP,
	A_BSL,
	A_MAKATON,
	A_QUIET_SPACE,
	A_SENSORY_FRIENDLY,
	A_TRANSPORT,
	A_NVALUES
};

/* The v1 groups values, in the order of the record's list. */
enum {
	G_LEARNING_DISABILITY,
	G_PHYSICAL_DISABILITY,
	G_AUTISM,
	G_DEMENTIA,
	G_MENTAL_HEALTH,
	G_OLDER_ADULTS,
	G_SENSORY,
	G_NVALUES
};

_Static_assert(T_NTERMS <= 64 && A_NVALUES <= 64 && G_NVALUES <= 64,
    "a phrase's values are a 64-bit mask");

struct tax_value {
	const char	*name;		/* as stored: "dementia-cafe" */
	const char	*label;		/* for a button: "Dementia cafe" */
};

/*
 * One published phrasing, already in normal form.  `to` is the values it
 * means, as bits of the table's enum; 0 means it is known to mean none of
 * them.  A `whole` row counts only when it is the entire phrase.
 */
struct tax_phrase {
	const char	*phrase;
	size_t		 len;		/* strlen(phrase), counted at build */
	uint64_t	 to;
	int		 whole;
};

#define P(s, v)		{ .phrase = (s), .len = sizeof(s) - 1, .to = (v) }
#define WHOLE(s, v)	{ .phrase = (s), .len = sizeof(s) - 1, .to = (v), \
			  .whole = 1 }
#define NOTHING(s)	{ .phrase = (s), .len = sizeof(s) - 1, .to = 0 }

static const struct tax_value tax_terms[] = {
	[T_ANIMALS] = { .name = "animals", .label = "Animals" },
	[T_ART] = { .name = "art", .label = "Art" },
	[T_CARERS] = { .name = "carers", .label = "For carers" },
	[T_COOKING] = { .name = "cooking", .label = "Cooking" },
	[T_CRAFTS] = { .name = "crafts", .label = "Crafts" },
	[T_CYCLING] = { .name = "cycling", .label = "Cycling" },
	[T_DANCE] = { .name = "dance", .label = "Dance" },
	[T_DEMENTIA_CAFE] = { .name = "dementia-cafe",
	    .label = "Dementia cafe" },
	[T_DIGITAL_SKILLS] = { .name = "digital-skills",
	    .label = "Digital skills" },
	[T_DRAMA] = { .name = "drama", .label = "Drama and theatre" },
	[T_EMPLOYMENT] = { .name = "employment", .label = "Jobs and work" },
	[T_EXERCISE] = { .name = "exercise", .label = "Exercise and fitness" },
	[T_FAITH] = { .name = "faith", .label = "Faith" },
	[T_FILM] = { .name = "film", .label = "Film and cinema" },
	[T_GAMES] = { .name = "games", .label = "Games and quizzes" },
	[T_GARDENING] = { .name = "gardening", .label = "Gardening" },
	[T_LEARNING] = { .name = "learning", .label = "Courses and learning" },
	[T_LIFE_SKILLS] = { .name = "life-skills", .label = "Life skills" },
	[T_MENS_SHED] = { .name = "mens-shed", .label = "Men's shed" },
	[T_MUSIC] = { .name = "music", .label = "Music" },
	[T_NIGHTS_OUT] = { .name = "nights-out", .label = "Nights out" },
	[T_OUTDOORS] = { .name = "outdoors", .label = "Outdoors and nature" },
	[T_POTTERY] = { .name = "pottery", .label = "Pottery" },
	[T_READING] = { .name = "reading", .label = "Reading and writing" },
	[T_SENSORY] = { .name = "sensory", .label = "Sensory" },
	[T_SINGING] = { .name = "singing", .label = "Singing" },
	[T_SOCIAL] = { .name = "social", .label = "Social" },
	[T_SPORT] = { .name = "sport", .label = "Sport" },
	[T_SWIMMING] = { .name = "swimming", .label = "Swimming" },
	[T_TRIPS] = { .name = "trips", .label = "Trips and days out" },
	[T_VOLUNTEERING] = { .name = "volunteering", .label = "Volunteering" },
	[T_WALKING] = { .name = "walking", .label = "Walking" },
	[T_WELLBEING] = { .name = "wellbeing", .label = "Wellbeing" },
	[T_WOODWORK] = { .name = "woodwork", .label = "Woodwork and DIY" },
};

static const struct tax_value tax_access_values[] = {
	[A_WHEELCHAIR] = { .name = "wheelchair",
	    .label = "Wheelchair accessible" },
	[A_CHANGING_PLACES] = { .name = "changing_places",
	    .label = "Changing Places toilet" },
	[A_HEARING_LOOP] = { .name = "hearing_loop", .label = "Hearing loop" },
	[A_BSL] = { .name = "bsl", .label = "British Sign Language" },
	[A_MAKATON] = { .name = "makaton", .label = "Makaton" },
	[A_QUIET_SPACE] = { .name = "quiet_space", .label = "Quiet space" },
	[A_SENSORY_FRIENDLY] = { .name = "sensory_friendly",
	    .label = "Sensory friendly" },
	[A_TRANSPORT] = { .name = "transport", .label = "Transport available" },
};

static const struct tax_value tax_group_values[] = {
	[G_LEARNING_DISABILITY] = { .name = "learning_disability",
	    .label = "Learning disability" },
	[G_PHYSICAL_DISABILITY] = { .name = "physical_disability",
	    .label = "Physical disability" },
	[G_AUTISM] = { .name = "autism", .label = "Autism" },
	[G_DEMENTIA] = { .name = "dementia", .label = "Dementia" },
	[G_MENTAL_HEALTH] = { .name = "mental_health",
	    .label = "Mental health" },
	[G_OLDER_ADULTS] = { .name = "older_adults", .label = "Older people" },
	[G_SENSORY] = { .name = "sensory", .label = "Sight or hearing loss" },
};

/*
 * Published categories and their terms, grouped by the term they are
 * mostly about.  OpenActive activity-list labels are here too, in normal
 * form ("Bodypump™" is "bodypump").
 */
static const struct tax_phrase tax_activity_phrases[] = {
	/* animals */
	P("animals", B(T_ANIMALS)),
	P("animal", B(T_ANIMALS)),
	P("animal care", B(T_ANIMALS)),
	P("farm", B(T_ANIMALS)),
	P("care farm", B(T_ANIMALS)),
	P("city farm", B(T_ANIMALS)),
	P("horses", B(T_ANIMALS)),
	P("horse riding", B(T_ANIMALS)),
	WHOLE("riding", B(T_ANIMALS)),
	P("riding for the disabled", B(T_ANIMALS)),
	P("equine", B(T_ANIMALS)),
	P("pets", B(T_ANIMALS)),
	P("pet therapy", B(T_ANIMALS) | B(T_WELLBEING)),
	P("dogs", B(T_ANIMALS)),
	P("dog walking", B(T_ANIMALS) | B(T_WALKING)),
	P("zoo", B(T_ANIMALS) | B(T_TRIPS)),

	/* art */
	P("art", B(T_ART)),
	P("arts", B(T_ART)),
	P("art club", B(T_ART)),
	P("art group", B(T_ART)),
	P("art studio", B(T_ART)),
	P("visual arts", B(T_ART)),
	P("creative", B(T_ART)),
	P("creative arts", B(T_ART)),
	P("creativity", B(T_ART)),
	P("painting", B(T_ART)),
	P("drawing", B(T_ART)),
	P("life drawing", B(T_ART)),
	P("sketching", B(T_ART)),
	P("watercolour", B(T_ART)),
	P("watercolours", B(T_ART)),
	P("printmaking", B(T_ART)),
	P("mosaic", B(T_ART)),
	P("mosaics", B(T_ART)),
	P("sculpture", B(T_ART)),
	P("calligraphy", B(T_ART)),
	P("photography", B(T_ART)),
	P("camera club", B(T_ART)),
	P("digital art", B(T_ART)),
	P("art therapy", B(T_ART) | B(T_WELLBEING)),
	P("arts crafts", B(T_ART) | B(T_CRAFTS)),
	P("art crafts", B(T_ART) | B(T_CRAFTS)),
	P("arts craft", B(T_ART) | B(T_CRAFTS)),
	P("art craft", B(T_ART) | B(T_CRAFTS)),

	/* carers */
	P("carers", B(T_CARERS)),
	P("carer", B(T_CARERS)),
	P("for carers", B(T_CARERS)),
	P("carers support", B(T_CARERS)),
	P("carers group", B(T_CARERS)),
	P("carers cafe", B(T_CARERS) | B(T_SOCIAL)),
	P("carers coffee", B(T_CARERS) | B(T_SOCIAL)),
	P("unpaid carers", B(T_CARERS)),
	P("family carers", B(T_CARERS)),
	P("carers break", B(T_CARERS)),

	/* cooking */
	P("cooking", B(T_COOKING)),
	P("cook", B(T_COOKING)),
	P("cookery", B(T_COOKING)),
	P("cookery club", B(T_COOKING)),
	P("baking", B(T_COOKING)),
	P("food", B(T_COOKING)),
	P("healthy eating", B(T_COOKING)),
	P("cook eat", B(T_COOKING)),
	P("catering", B(T_COOKING)),
	P("jam making", B(T_COOKING)),
	P("cooking skills", B(T_COOKING) | B(T_LIFE_SKILLS)),
	P("kitchen skills", B(T_COOKING) | B(T_LIFE_SKILLS)),

	/* crafts */
	P("crafts", B(T_CRAFTS)),
	P("craft", B(T_CRAFTS)),
	P("crafting", B(T_CRAFTS)),
	P("handicrafts", B(T_CRAFTS)),
	P("textiles", B(T_CRAFTS)),
	P("sewing", B(T_CRAFTS)),
	P("knitting", B(T_CRAFTS)),
	P("knit natter", B(T_CRAFTS) | B(T_SOCIAL)),
	P("crochet", B(T_CRAFTS)),
	P("quilting", B(T_CRAFTS)),
	P("embroidery", B(T_CRAFTS)),
	P("needlework", B(T_CRAFTS)),
	P("jewellery making", B(T_CRAFTS)),
	P("card making", B(T_CRAFTS)),
	P("wreath making", B(T_CRAFTS)),
	P("weaving", B(T_CRAFTS)),
	P("felting", B(T_CRAFTS)),
	P("upcycling", B(T_CRAFTS)),

	/* cycling */
	P("cycling", B(T_CYCLING)),
	P("cycle", B(T_CYCLING)),
	P("cycle rides", B(T_CYCLING)),
	P("bike", B(T_CYCLING)),
	P("bikes", B(T_CYCLING)),
	P("bike ride", B(T_CYCLING)),
	P("bike rides", B(T_CYCLING)),
	P("bike riding", B(T_CYCLING)),
	P("inclusive cycling", B(T_CYCLING)),
	P("adapted cycling", B(T_CYCLING)),
	P("trikes", B(T_CYCLING)),
	P("wheels for all", B(T_CYCLING)),
	P("road cycling", B(T_CYCLING)),
	P("bike repair", B(T_CYCLING) | B(T_WOODWORK)),

	/* dance */
	P("dance", B(T_DANCE)),
	P("dancing", B(T_DANCE)),
	P("dances", B(T_DANCE)),
	P("inclusive dance", B(T_DANCE)),
	P("seated dance", B(T_DANCE)),
	P("line dancing", B(T_DANCE)),
	P("ballroom", B(T_DANCE)),
	P("ballroom dancing", B(T_DANCE)),
	P("salsa", B(T_DANCE)),
	P("ballet", B(T_DANCE)),
	P("tea dance", B(T_DANCE) | B(T_SOCIAL)),
	P("disco", B(T_DANCE) | B(T_NIGHTS_OUT)),
	P("zumba", B(T_DANCE) | B(T_EXERCISE)),
	P("zumba gold", B(T_DANCE) | B(T_EXERCISE)),
	P("dance fitness", B(T_DANCE) | B(T_EXERCISE)),
	P("music movement", B(T_DANCE) | B(T_MUSIC)),
	P("movement to music", B(T_DANCE) | B(T_MUSIC)),

	/* dementia-cafe */
	P("dementia cafe", B(T_DEMENTIA_CAFE)),
	P("dementia cafes", B(T_DEMENTIA_CAFE)),
	P("dementia friendly cafe", B(T_DEMENTIA_CAFE)),
	P("memory cafe", B(T_DEMENTIA_CAFE)),
	P("memory cafes", B(T_DEMENTIA_CAFE)),
	P("memory club", B(T_DEMENTIA_CAFE)),
	P("alzheimers cafe", B(T_DEMENTIA_CAFE)),

	/* digital-skills */
	P("digital skills", B(T_DIGITAL_SKILLS)),
	P("digital", B(T_DIGITAL_SKILLS)),
	P("digital inclusion", B(T_DIGITAL_SKILLS)),
	WHOLE("it", B(T_DIGITAL_SKILLS)),
	P("it skills", B(T_DIGITAL_SKILLS)),
	P("it help", B(T_DIGITAL_SKILLS)),
	P("it support", B(T_DIGITAL_SKILLS)),
	P("it club", B(T_DIGITAL_SKILLS)),
	P("computers", B(T_DIGITAL_SKILLS)),
	P("computer", B(T_DIGITAL_SKILLS)),
	P("computer club", B(T_DIGITAL_SKILLS)),
	P("computer skills", B(T_DIGITAL_SKILLS)),
	P("computing", B(T_DIGITAL_SKILLS)),
	P("technology", B(T_DIGITAL_SKILLS)),
	P("tech", B(T_DIGITAL_SKILLS)),
	P("tablets", B(T_DIGITAL_SKILLS)),
	P("ipad", B(T_DIGITAL_SKILLS)),
	P("ipads", B(T_DIGITAL_SKILLS)),
	P("smartphones", B(T_DIGITAL_SKILLS)),
	P("internet", B(T_DIGITAL_SKILLS)),
	P("get online", B(T_DIGITAL_SKILLS)),
	P("online safety", B(T_DIGITAL_SKILLS)),

	/* drama */
	P("drama", B(T_DRAMA)),
	P("drama group", B(T_DRAMA)),
	P("theatre", B(T_DRAMA)),
	P("theater", B(T_DRAMA)),
	P("theatre group", B(T_DRAMA)),
	P("acting", B(T_DRAMA)),
	P("performing arts", B(T_DRAMA)),
	WHOLE("performance", B(T_DRAMA)),
	P("improv", B(T_DRAMA)),
	P("improvisation", B(T_DRAMA)),
	P("pantomime", B(T_DRAMA)),
	P("panto", B(T_DRAMA)),
	P("musical theatre", B(T_DRAMA) | B(T_SINGING)),

	/* employment */
	P("employment", B(T_EMPLOYMENT)),
	P("employment support", B(T_EMPLOYMENT)),
	P("supported employment", B(T_EMPLOYMENT)),
	P("employability", B(T_EMPLOYMENT)),
	P("pre employment", B(T_EMPLOYMENT)),
	P("jobs", B(T_EMPLOYMENT)),
	P("job", B(T_EMPLOYMENT)),
	P("job club", B(T_EMPLOYMENT)),
	P("job search", B(T_EMPLOYMENT)),
	WHOLE("work", B(T_EMPLOYMENT)),
	P("work skills", B(T_EMPLOYMENT)),
	P("work experience", B(T_EMPLOYMENT)),
	P("work placement", B(T_EMPLOYMENT)),
	P("work placements", B(T_EMPLOYMENT)),
	P("paid work", B(T_EMPLOYMENT)),
	P("back to work", B(T_EMPLOYMENT)),
	P("supported internship", B(T_EMPLOYMENT)),
	P("supported internships", B(T_EMPLOYMENT)),
	P("internships", B(T_EMPLOYMENT)),
	P("careers", B(T_EMPLOYMENT)),
	P("cv", B(T_EMPLOYMENT)),
	P("cv writing", B(T_EMPLOYMENT)),

	/* exercise */
	P("exercise", B(T_EXERCISE)),
	P("exercises", B(T_EXERCISE)),
	P("fitness", B(T_EXERCISE)),
	P("keep fit", B(T_EXERCISE)),
	P("gym", B(T_EXERCISE)),
	P("chair exercise", B(T_EXERCISE)),
	P("chair based exercise", B(T_EXERCISE)),
	P("seated exercise", B(T_EXERCISE)),
	P("gentle exercise", B(T_EXERCISE)),
	P("physical activity", B(T_EXERCISE)),
	P("strength balance", B(T_EXERCISE)),
	P("strength", B(T_EXERCISE)),
	P("toning", B(T_EXERCISE)),
	P("falls prevention", B(T_EXERCISE)),
	P("movement", B(T_EXERCISE)),
	P("aerobics", B(T_EXERCISE)),
	P("circuit training", B(T_EXERCISE)),
	P("circuits", B(T_EXERCISE)),
	P("boxercise", B(T_EXERCISE)),
	P("bodypump", B(T_EXERCISE)),
	P("pilates", B(T_EXERCISE)),
	P("rebound", B(T_EXERCISE)),
	P("rebound therapy", B(T_EXERCISE)),
	P("trampoline", B(T_EXERCISE)),
	P("trampolining", B(T_EXERCISE)),
	P("yoga", B(T_EXERCISE) | B(T_WELLBEING)),
	P("chair yoga", B(T_EXERCISE) | B(T_WELLBEING)),
	P("tai chi", B(T_EXERCISE) | B(T_WELLBEING)),
	P("qigong", B(T_EXERCISE) | B(T_WELLBEING)),

	/* faith */
	P("faith", B(T_FAITH)),
	P("faith groups", B(T_FAITH)),
	P("church", B(T_FAITH)),
	P("worship", B(T_FAITH)),
	P("prayer", B(T_FAITH)),
	P("bible study", B(T_FAITH)),
	P("spiritual", B(T_FAITH)),
	P("spirituality", B(T_FAITH)),
	P("religion", B(T_FAITH)),
	P("mosque", B(T_FAITH)),
	P("temple", B(T_FAITH)),
	P("gurdwara", B(T_FAITH)),
	P("synagogue", B(T_FAITH)),
	P("chaplaincy", B(T_FAITH)),

	/* film */
	P("film", B(T_FILM)),
	P("films", B(T_FILM)),
	P("film club", B(T_FILM)),
	P("cinema", B(T_FILM)),
	P("cinema club", B(T_FILM)),
	P("movies", B(T_FILM)),
	P("movie night", B(T_FILM)),
	P("film making", B(T_FILM)),
	P("relaxed screening", B(T_FILM)),

	/* games */
	P("games", B(T_GAMES)),
	P("board games", B(T_GAMES)),
	P("card games", B(T_GAMES)),
	P("quiz", B(T_GAMES)),
	P("quizzes", B(T_GAMES)),
	P("quiz night", B(T_GAMES)),
	P("bingo", B(T_GAMES)),
	P("chess", B(T_GAMES)),
	P("dominoes", B(T_GAMES)),
	P("darts", B(T_GAMES)),
	P("snooker", B(T_GAMES)),
	P("pool darts", B(T_GAMES)),
	P("pool table", B(T_GAMES)),
	P("skittles", B(T_GAMES)),
	P("jigsaws", B(T_GAMES)),
	P("puzzles", B(T_GAMES)),
	P("gaming", B(T_GAMES)),
	P("video games", B(T_GAMES)),

	/* gardening */
	P("gardening", B(T_GARDENING)),
	P("garden", B(T_GARDENING)),
	P("gardens", B(T_GARDENING)),
	P("community garden", B(T_GARDENING)),
	P("allotment", B(T_GARDENING)),
	P("allotments", B(T_GARDENING)),
	P("horticulture", B(T_GARDENING)),
	P("horticultural", B(T_GARDENING)),
	P("growing", B(T_GARDENING)),
	P("grow your own", B(T_GARDENING)),
	P("planting", B(T_GARDENING)),
	P("therapeutic gardening", B(T_GARDENING) | B(T_WELLBEING)),
	P("green gym", B(T_GARDENING) | B(T_OUTDOORS) | B(T_EXERCISE)),
	P("sensory garden", B(T_GARDENING) | B(T_SENSORY)),

	/* learning */
	WHOLE("learning", B(T_LEARNING)),
	P("courses learning", B(T_LEARNING)),
	WHOLE("learn", B(T_LEARNING)),
	WHOLE("education", B(T_LEARNING)),
	WHOLE("courses", B(T_LEARNING)),
	WHOLE("course", B(T_LEARNING)),
	WHOLE("classes", B(T_LEARNING)),
	WHOLE("lessons", B(T_LEARNING)),
	WHOLE("training", B(T_LEARNING)),
	WHOLE("workshops", B(T_LEARNING)),
	WHOLE("skills", B(T_LEARNING)),
	WHOLE("english", B(T_LEARNING)),
	P("adult learning", B(T_LEARNING)),
	P("adult education", B(T_LEARNING)),
	P("college", B(T_LEARNING)),
	P("literacy", B(T_LEARNING)),
	P("numeracy", B(T_LEARNING)),
	P("maths", B(T_LEARNING)),
	P("english classes", B(T_LEARNING)),
	P("esol", B(T_LEARNING)),

	/* life-skills */
	P("life skills", B(T_LIFE_SKILLS)),
	P("living skills", B(T_LIFE_SKILLS)),
	P("daily living skills", B(T_LIFE_SKILLS)),
	P("independent living", B(T_LIFE_SKILLS)),
	P("independent living skills", B(T_LIFE_SKILLS)),
	P("independence", B(T_LIFE_SKILLS)),
	P("travel training", B(T_LIFE_SKILLS)),
	P("money skills", B(T_LIFE_SKILLS)),
	P("money management", B(T_LIFE_SKILLS)),
	P("budgeting", B(T_LIFE_SKILLS)),
	P("household skills", B(T_LIFE_SKILLS)),
	P("social skills", B(T_LIFE_SKILLS)),

	/* mens-shed */
	P("mens shed", B(T_MENS_SHED)),
	P("mens sheds", B(T_MENS_SHED)),
	P("womens shed", B(T_MENS_SHED)),
	P("community shed", B(T_MENS_SHED)),
	WHOLE("shed", B(T_MENS_SHED)),
	WHOLE("sheds", B(T_MENS_SHED)),

	/* music */
	P("music", B(T_MUSIC)),
	P("musical", B(T_MUSIC)),
	P("music group", B(T_MUSIC)),
	P("music making", B(T_MUSIC)),
	P("music therapy", B(T_MUSIC) | B(T_WELLBEING)),
	P("live music", B(T_MUSIC)),
	P("band", B(T_MUSIC)),
	P("bands", B(T_MUSIC)),
	P("jam", B(T_MUSIC)),
	P("open mic", B(T_MUSIC)),
	P("concert", B(T_MUSIC)),
	P("concerts", B(T_MUSIC)),
	P("gig", B(T_MUSIC) | B(T_NIGHTS_OUT)),
	P("gigs", B(T_MUSIC) | B(T_NIGHTS_OUT)),
	P("instruments", B(T_MUSIC)),
	P("drumming", B(T_MUSIC)),
	P("drums", B(T_MUSIC)),
	P("percussion", B(T_MUSIC)),
	P("ukulele", B(T_MUSIC)),
	P("ukuleles", B(T_MUSIC)),
	P("guitar", B(T_MUSIC)),
	P("samba", B(T_MUSIC)),

	/* nights-out */
	P("nights out", B(T_NIGHTS_OUT)),
	P("night out", B(T_NIGHTS_OUT)),
	P("evenings out", B(T_NIGHTS_OUT)),
	P("club night", B(T_NIGHTS_OUT)),
	P("gig buddies", B(T_NIGHTS_OUT) | B(T_SOCIAL)),
	P("nightclub", B(T_NIGHTS_OUT) | B(T_DANCE)),

	/* outdoors */
	P("outdoors", B(T_OUTDOORS)),
	P("outdoor", B(T_OUTDOORS)),
	P("outdoor activities", B(T_OUTDOORS)),
	P("nature", B(T_OUTDOORS)),
	P("conservation", B(T_OUTDOORS)),
	P("countryside", B(T_OUTDOORS)),
	P("wildlife", B(T_OUTDOORS)),
	P("woodland", B(T_OUTDOORS)),
	P("forest school", B(T_OUTDOORS)),
	P("bushcraft", B(T_OUTDOORS)),
	P("fishing", B(T_OUTDOORS)),
	P("angling", B(T_OUTDOORS)),
	P("nature walks", B(T_OUTDOORS) | B(T_WALKING)),
	P("open water", B(T_OUTDOORS) | B(T_SWIMMING)),
	P("canoeing", B(T_OUTDOORS) | B(T_SPORT)),
	P("kayaking", B(T_OUTDOORS) | B(T_SPORT)),
	P("sailing", B(T_OUTDOORS) | B(T_SPORT)),
	P("climbing", B(T_OUTDOORS) | B(T_SPORT)),

	/* pottery */
	P("pottery", B(T_POTTERY)),
	P("ceramics", B(T_POTTERY)),
	P("clay", B(T_POTTERY)),
	P("clay pigeon shooting", B(T_SPORT)),
	P("clay shooting", B(T_SPORT)),

	/* reading */
	P("reading", B(T_READING)),
	P("reading group", B(T_READING)),
	P("shared reading", B(T_READING)),
	P("books", B(T_READING)),
	P("book club", B(T_READING)),
	P("book group", B(T_READING)),
	P("library", B(T_READING)),
	P("writing", B(T_READING)),
	P("creative writing", B(T_READING)),
	P("poetry", B(T_READING)),
	P("storytelling", B(T_READING)),
	P("stories", B(T_READING)),
	P("sensory stories", B(T_READING) | B(T_SENSORY)),

	/* sensory */
	P("sensory", B(T_SENSORY)),
	P("sensory room", B(T_SENSORY)),
	P("sensory session", B(T_SENSORY)),
	P("sensory sessions", B(T_SENSORY)),
	P("sensory play", B(T_SENSORY)),
	P("multi sensory", B(T_SENSORY)),
	P("multisensory", B(T_SENSORY)),
	P("sensory art", B(T_SENSORY) | B(T_ART)),
	P("snoezelen", B(T_SENSORY)),
	P("messy play", B(T_SENSORY)),

	/* singing */
	P("singing", B(T_SINGING)),
	P("sing", B(T_SINGING)),
	P("sing along", B(T_SINGING)),
	P("singalong", B(T_SINGING)),
	P("singing group", B(T_SINGING)),
	P("songs", B(T_SINGING)),
	P("choir", B(T_SINGING)),
	P("choirs", B(T_SINGING)),
	P("community choir", B(T_SINGING)),
	P("signing choir", B(T_SINGING)),
	P("karaoke", B(T_SINGING)),
	P("singing for the brain", B(T_SINGING)),

	/* social */
	P("social", B(T_SOCIAL)),
	P("socials", B(T_SOCIAL)),
	P("social club", B(T_SOCIAL)),
	P("social group", B(T_SOCIAL)),
	P("social activities", B(T_SOCIAL)),
	P("socialising", B(T_SOCIAL)),
	P("friendship", B(T_SOCIAL)),
	P("friendship club", B(T_SOCIAL)),
	P("friends", B(T_SOCIAL)),
	P("befriending", B(T_SOCIAL)),
	P("coffee morning", B(T_SOCIAL)),
	P("coffee chat", B(T_SOCIAL)),
	P("cuppa", B(T_SOCIAL)),
	P("lunch club", B(T_SOCIAL)),
	P("luncheon club", B(T_SOCIAL)),
	P("cafe", B(T_SOCIAL)),
	P("community cafe", B(T_SOCIAL)),
	P("party", B(T_SOCIAL)),
	P("parties", B(T_SOCIAL)),
	P("fete", B(T_SOCIAL)),
	P("garden party", B(T_SOCIAL)),
	P("fun day", B(T_SOCIAL)),
	P("get together", B(T_SOCIAL)),
	P("meet up", B(T_SOCIAL)),
	P("reminiscence", B(T_SOCIAL)),

	/* sport */
	P("sport", B(T_SPORT)),
	P("sports", B(T_SPORT)),
	P("sports club", B(T_SPORT)),
	P("inclusive sport", B(T_SPORT)),
	P("disability sport", B(T_SPORT)),
	P("multi sports", B(T_SPORT)),
	P("football", B(T_SPORT)),
	P("walking football", B(T_SPORT)),
	P("walking netball", B(T_SPORT)),
	P("walking rugby", B(T_SPORT)),
	P("walking cricket", B(T_SPORT)),
	P("walking basketball", B(T_SPORT)),
	P("frame football", B(T_SPORT)),
	P("powerchair football", B(T_SPORT)),
	P("netball", B(T_SPORT)),
	P("basketball", B(T_SPORT)),
	P("wheelchair basketball", B(T_SPORT)),
	P("boccia", B(T_SPORT)),
	P("new age kurling", B(T_SPORT)),
	P("kurling", B(T_SPORT)),
	P("curling", B(T_SPORT)),
	P("bowls", B(T_SPORT)),
	P("indoor bowls", B(T_SPORT)),
	P("lawn bowls", B(T_SPORT)),
	P("short mat bowls", B(T_SPORT)),
	P("bowling", B(T_SPORT)),
	P("tenpin bowling", B(T_SPORT)),
	P("table tennis", B(T_SPORT)),
	P("badminton", B(T_SPORT)),
	P("tennis", B(T_SPORT)),
	P("cricket", B(T_SPORT)),
	P("rugby", B(T_SPORT)),
	P("golf", B(T_SPORT)),
	P("archery", B(T_SPORT)),
	P("athletics", B(T_SPORT)),
	P("running", B(T_SPORT)),
	P("goalball", B(T_SPORT)),
	P("martial arts", B(T_SPORT)),
	P("judo", B(T_SPORT)),
	P("karate", B(T_SPORT)),
	P("boxing", B(T_SPORT)),
	P("roller blading", B(T_SPORT)),

	/* swimming */
	P("swimming", B(T_SWIMMING)),
	P("swim", B(T_SWIMMING)),
	P("swims", B(T_SWIMMING)),
	P("swimming pool", B(T_SWIMMING)),
	P("swimming gala", B(T_SWIMMING)),
	P("water confidence", B(T_SWIMMING)),
	P("warm water", B(T_SWIMMING)),
	P("hydrotherapy", B(T_SWIMMING)),
	P("aquatics", B(T_SWIMMING)),
	P("aqua fit", B(T_SWIMMING) | B(T_EXERCISE)),
	P("aquafit", B(T_SWIMMING) | B(T_EXERCISE)),
	P("aqua aerobics", B(T_SWIMMING) | B(T_EXERCISE)),
	P("aqua fitness", B(T_SWIMMING) | B(T_EXERCISE)),
	P("water aerobics", B(T_SWIMMING) | B(T_EXERCISE)),

	/* trips */
	P("trips", B(T_TRIPS)),
	P("trip", B(T_TRIPS)),
	P("day trips", B(T_TRIPS)),
	P("days out", B(T_TRIPS)),
	P("day out", B(T_TRIPS)),
	P("outings", B(T_TRIPS)),
	P("outing", B(T_TRIPS)),
	P("excursions", B(T_TRIPS)),
	P("coach trip", B(T_TRIPS)),

	/* volunteering */
	P("volunteering", B(T_VOLUNTEERING)),
	P("volunteer", B(T_VOLUNTEERING)),
	P("volunteers", B(T_VOLUNTEERING)),
	P("volunteers wanted", B(T_VOLUNTEERING)),
	P("volunteering opportunities", B(T_VOLUNTEERING)),

	/* walking */
	P("walking", B(T_WALKING)),
	P("walk", B(T_WALKING)),
	P("walks", B(T_WALKING)),
	P("health walk", B(T_WALKING)),
	P("health walks", B(T_WALKING)),
	P("walking group", B(T_WALKING)),
	P("walking for health", B(T_WALKING)),
	P("nordic walking", B(T_WALKING)),
	P("rambling", B(T_WALKING)),
	P("rambles", B(T_WALKING)),
	P("hiking", B(T_WALKING) | B(T_OUTDOORS)),

	/* wellbeing */
	P("wellbeing", B(T_WELLBEING)),
	P("well being", B(T_WELLBEING)),
	P("wellness", B(T_WELLBEING)),
	P("health wellbeing", B(T_WELLBEING)),
	P("mental wellbeing", B(T_WELLBEING)),
	P("emotional wellbeing", B(T_WELLBEING)),
	WHOLE("health", B(T_WELLBEING)),
	P("mindfulness", B(T_WELLBEING)),
	P("meditation", B(T_WELLBEING)),
	P("relaxation", B(T_WELLBEING)),
	P("massage", B(T_WELLBEING)),
	P("holistic therapies", B(T_WELLBEING)),
	P("peer support", B(T_WELLBEING)),
	P("self care", B(T_WELLBEING)),

	/* woodwork */
	P("woodwork", B(T_WOODWORK)),
	P("woodworking", B(T_WOODWORK)),
	P("green woodworking", B(T_WOODWORK)),
	P("green woodwork", B(T_WOODWORK)),
	P("carpentry", B(T_WOODWORK)),
	P("joinery", B(T_WOODWORK)),
	P("diy", B(T_WOODWORK)),
	P("metalwork", B(T_WOODWORK)),
	P("repair cafe", B(T_WOODWORK)),
	P("repairs", B(T_WOODWORK)),
	P("tinkering", B(T_WOODWORK)),
	P("furniture restoration", B(T_WOODWORK)),

	/*
	 * Phrases that hold an activity word but name no activity: they
	 * take their words out of the scan.
	 */
	NOTHING("sensory impairment"),
	NOTHING("sensory loss"),
	NOTHING("sensory needs"),
	NOTHING("sensory friendly"),
	NOTHING("social care"),
	NOTHING("social services"),
	NOTHING("social worker"),
	NOTHING("volunteer led"),
	NOTHING("volunteer run"),
	NOTHING("food bank"),
	NOTHING("church hall"),
};

/* Published accessibility phrases and the v1 access values. */
static const struct tax_phrase tax_access_phrases[] = {
	P("wheelchair", B(A_WHEELCHAIR)),
	P("wheelchair accessible", B(A_WHEELCHAIR)),
	P("wheelchair access", B(A_WHEELCHAIR)),
	P("wheelchair friendly", B(A_WHEELCHAIR)),
	P("wheelchair users welcome", B(A_WHEELCHAIR)),
	P("step free", B(A_WHEELCHAIR)),
	P("step free access", B(A_WHEELCHAIR)),
	P("level access", B(A_WHEELCHAIR)),
	P("ramp access", B(A_WHEELCHAIR)),
	P("fully accessible", B(A_WHEELCHAIR)),
	P("accessible venue", B(A_WHEELCHAIR)),
	P("accessible building", B(A_WHEELCHAIR)),
	P("disabled access", B(A_WHEELCHAIR)),

	P("changing places", B(A_CHANGING_PLACES)),
	P("changing place", B(A_CHANGING_PLACES)),
	P("changing places toilet", B(A_CHANGING_PLACES)),
	P("changing places toilets", B(A_CHANGING_PLACES)),
	P("changing places facility", B(A_CHANGING_PLACES)),

	P("hearing loop", B(A_HEARING_LOOP)),
	P("hearing loops", B(A_HEARING_LOOP)),
	P("induction loop", B(A_HEARING_LOOP)),
	P("audio loop", B(A_HEARING_LOOP)),
	P("loop system", B(A_HEARING_LOOP)),

	P("bsl", B(A_BSL)),
	P("british sign language", B(A_BSL)),
	P("bsl interpreter", B(A_BSL)),
	P("bsl interpreted", B(A_BSL)),
	P("sign language", B(A_BSL)),
	P("sign language interpreter", B(A_BSL)),

	P("makaton", B(A_MAKATON)),
	P("makaton signing", B(A_MAKATON)),
	P("makaton friendly", B(A_MAKATON)),

	P("quiet space", B(A_QUIET_SPACE)),
	P("quiet room", B(A_QUIET_SPACE)),
	P("quiet area", B(A_QUIET_SPACE)),
	P("calm room", B(A_QUIET_SPACE)),
	P("calm space", B(A_QUIET_SPACE)),
	P("chill out room", B(A_QUIET_SPACE)),
	P("chill out space", B(A_QUIET_SPACE)),
	P("breakout space", B(A_QUIET_SPACE)),

	P("sensory friendly", B(A_SENSORY_FRIENDLY)),
	P("autism friendly", B(A_SENSORY_FRIENDLY)),
	P("relaxed session", B(A_SENSORY_FRIENDLY)),
	P("relaxed performance", B(A_SENSORY_FRIENDLY)),
	P("relaxed screening", B(A_SENSORY_FRIENDLY)),
	WHOLE("relaxed", B(A_SENSORY_FRIENDLY)),
	P("quiet session", B(A_SENSORY_FRIENDLY)),
	P("quiet swim", B(A_SENSORY_FRIENDLY)),
	P("low sensory", B(A_SENSORY_FRIENDLY)),

	P("transport", B(A_TRANSPORT)),
	P("transport available", B(A_TRANSPORT)),
	P("transport provided", B(A_TRANSPORT)),
	P("free transport", B(A_TRANSPORT)),
	P("door to door transport", B(A_TRANSPORT)),
	P("community transport", B(A_TRANSPORT)),
	P("minibus", B(A_TRANSPORT)),
	P("minibus pick up", B(A_TRANSPORT)),
	P("pick up service", B(A_TRANSPORT)),

	/* An accessible toilet says nothing of the way in, or of a hoist. */
	NOTHING("accessible toilet"),
	NOTHING("accessible toilets"),
	NOTHING("disabled toilet"),
	NOTHING("accessible changing"),
};

/*
 * Who a session is for.  OpenActive's accessibilitySupport labels
 * ("Visual impairment", "Learning disability") name people, so they are
 * here rather than among the access values.
 */
static const struct tax_phrase tax_group_phrases[] = {
	P("learning disability", B(G_LEARNING_DISABILITY)),
	P("learning disabilities", B(G_LEARNING_DISABILITY)),
	P("learning difficulty", B(G_LEARNING_DISABILITY)),
	P("learning difficulties", B(G_LEARNING_DISABILITY)),
	P("learning disabled", B(G_LEARNING_DISABILITY)),
	P("intellectual disability", B(G_LEARNING_DISABILITY)),
	P("intellectual disabilities", B(G_LEARNING_DISABILITY)),
	P("ld", B(G_LEARNING_DISABILITY)),
	P("pmld", B(G_LEARNING_DISABILITY)),
	P("profound multiple learning disabilities",
	    B(G_LEARNING_DISABILITY)),
	P("down syndrome", B(G_LEARNING_DISABILITY)),
	P("downs syndrome", B(G_LEARNING_DISABILITY)),

	P("physical disability", B(G_PHYSICAL_DISABILITY)),
	P("physical disabilities", B(G_PHYSICAL_DISABILITY)),
	P("physically disabled", B(G_PHYSICAL_DISABILITY)),
	P("physical impairment", B(G_PHYSICAL_DISABILITY)),
	P("mobility impairment", B(G_PHYSICAL_DISABILITY)),
	P("limited mobility", B(G_PHYSICAL_DISABILITY)),
	P("wheelchair users", B(G_PHYSICAL_DISABILITY)),
	P("cerebral palsy", B(G_PHYSICAL_DISABILITY)),

	P("autism", B(G_AUTISM)),
	P("autistic", B(G_AUTISM)),
	P("autistic adults", B(G_AUTISM)),
	P("autism friendly", B(G_AUTISM)),
	WHOLE("asc", B(G_AUTISM)),
	P("asd", B(G_AUTISM)),
	P("autism spectrum", B(G_AUTISM)),
	P("autism spectrum condition", B(G_AUTISM)),
	P("autism spectrum disorder", B(G_AUTISM)),
	P("aspergers", B(G_AUTISM)),
	P("asperger syndrome", B(G_AUTISM)),

	P("dementia", B(G_DEMENTIA)),
	P("dementia friendly", B(G_DEMENTIA)),
	P("living with dementia", B(G_DEMENTIA)),
	P("memory loss", B(G_DEMENTIA)),
	P("memory problems", B(G_DEMENTIA)),
	P("alzheimers", B(G_DEMENTIA)),
	P("alzheimer", B(G_DEMENTIA)),
	P("memory cafe", B(G_DEMENTIA)),

	P("mental health", B(G_MENTAL_HEALTH)),
	P("mental ill health", B(G_MENTAL_HEALTH)),
	P("mental illness", B(G_MENTAL_HEALTH)),
	P("anxiety", B(G_MENTAL_HEALTH)),
	P("depression", B(G_MENTAL_HEALTH)),

	P("older adults", B(G_OLDER_ADULTS)),
	P("older people", B(G_OLDER_ADULTS)),
	P("older person", B(G_OLDER_ADULTS)),
	P("seniors", B(G_OLDER_ADULTS)),
	P("senior citizens", B(G_OLDER_ADULTS)),
	P("elderly", B(G_OLDER_ADULTS)),
	P("later life", B(G_OLDER_ADULTS)),
	P("retired", B(G_OLDER_ADULTS)),
	P("pensioners", B(G_OLDER_ADULTS)),
	P("over 50", B(G_OLDER_ADULTS)),
	P("over 50s", B(G_OLDER_ADULTS)),
	P("50 plus", B(G_OLDER_ADULTS)),
	P("over 55", B(G_OLDER_ADULTS)),
	P("over 55s", B(G_OLDER_ADULTS)),
	P("55 plus", B(G_OLDER_ADULTS)),
	P("over 60", B(G_OLDER_ADULTS)),
	P("over 60s", B(G_OLDER_ADULTS)),
	P("60 plus", B(G_OLDER_ADULTS)),
	P("over 65", B(G_OLDER_ADULTS)),
	P("over 65s", B(G_OLDER_ADULTS)),
	P("65 plus", B(G_OLDER_ADULTS)),
	P("over 70s", B(G_OLDER_ADULTS)),
	P("70 plus", B(G_OLDER_ADULTS)),

	P("visual impairment", B(G_SENSORY)),
	P("visually impaired", B(G_SENSORY)),
	P("sight loss", B(G_SENSORY)),
	P("sight impaired", B(G_SENSORY)),
	P("partially sighted", B(G_SENSORY)),
	P("blind", B(G_SENSORY)),
	P("deaf", B(G_SENSORY)),
	P("deafblind", B(G_SENSORY)),
	P("hard of hearing", B(G_SENSORY)),
	P("hearing impairment", B(G_SENSORY)),
	P("hearing impaired", B(G_SENSORY)),
	P("hearing loss", B(G_SENSORY)),
	P("sensory impairment", B(G_SENSORY)),
	P("sensory loss", B(G_SENSORY)),
};

/*
 * Categories spokes use for when, who, where or what sort of listing,
 * which carry no activity kind: dayhub keeps them as published and knows
 * not to ask the spoke about them.  Whole phrases only.
 */
static const struct tax_phrase tax_context_phrases[] = {
	WHOLE("events", 0),
	WHOLE("event", 0),
	WHOLE("special events", 0),
	WHOLE("whats on", 0),
	WHOLE("news", 0),
	WHOLE("activities", 0),
	WHOLE("sessions", 0),
	WHOLE("general", 0),
	WHOLE("other", 0),
	WHOLE("uncategorized", 0),
	WHOLE("uncategorised", 0),
	WHOLE("featured", 0),
	WHOLE("weekend", 0),
	WHOLE("weekends", 0),
	WHOLE("evening", 0),
	WHOLE("evenings", 0),
	WHOLE("daytime", 0),
	WHOLE("morning", 0),
	WHOLE("mornings", 0),
	WHOLE("afternoon", 0),
	WHOLE("afternoons", 0),
	WHOLE("weekly", 0),
	WHOLE("monthly", 0),
	WHOLE("one off", 0),
	WHOLE("drop in", 0),
	WHOLE("christmas", 0),
	WHOLE("easter", 0),
	WHOLE("summer", 0),
	WHOLE("half term", 0),
	WHOLE("holidays", 0),
	WHOLE("online", 0),
	WHOLE("virtual", 0),
	WHOLE("free", 0),
	WHOLE("family", 0),
	WHOLE("families", 0),
	WHOLE("adults", 0),
	WHOLE("young adults", 0),
	WHOLE("young people", 0),
	WHOLE("all ages", 0),
	WHOLE("all abilities", 0),
	WHOLE("beginners", 0),
	WHOLE("specialist", 0),
	WHOLE("day service", 0),
	WHOLE("day services", 0),
	WHOLE("day centre", 0),
	WHOLE("day opportunities", 0),
	/*
	 * Respite is a break for the carer, but a session called respite
	 * is for the person cared for, who takes part while the carer is
	 * away: it says how the session is paid for and why, not what it
	 * is, and is not a session for carers.
	 */
	WHOLE("respite", 0),
	WHOLE("respite care", 0),
	WHOLE("short breaks", 0),
};

static const struct tax_table {
	const struct tax_value	*values;
	size_t			 nvalues;
	const struct tax_phrase	*phrases;
	size_t			 nphrases;
} tax_tables[] = {
	[TAXONOMY_ACTIVITY] = { tax_terms, nitems(tax_terms),
	    tax_activity_phrases, nitems(tax_activity_phrases) },
	[TAXONOMY_ACCESS] = { tax_access_values, nitems(tax_access_values),
	    tax_access_phrases, nitems(tax_access_phrases) },
	[TAXONOMY_GROUP] = { tax_group_values, nitems(tax_group_values),
	    tax_group_phrases, nitems(tax_group_phrases) },
	[TAXONOMY_CONTEXT] = { NULL, 0, tax_context_phrases,
	    nitems(tax_context_phrases) },
};

_Static_assert(nitems(tax_terms) == T_NTERMS, "a term without a row");
_Static_assert(nitems(tax_access_values) == A_NVALUES, "an access value");
_Static_assert(nitems(tax_group_values) == G_NVALUES, "a groups value");

/*
 * Latin-1 letters U+00C0 to U+00FF (UTF-8 C3 80 to C3 BF) without their
 * accents; "" marks the two signs among them, which break words.
 */
static const char *const tax_latin1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c",	/* C0 */
	"e", "e", "e", "e", "i", "i", "i", "i",		/* C8 */
	"d", "n", "o", "o", "o", "o", "o", "",		/* D0, D7 is x */
	"o", "u", "u", "u", "u", "y", "th", "ss",	/* D8 */
	"a", "a", "a", "a", "a", "a", "ae", "c",	/* E0 */
	"e", "e", "e", "e", "i", "i", "i", "i",		/* E8 */
	"d", "n", "o", "o", "o", "o", "o", "",		/* F0, F7 is / */
	"o", "u", "u", "u", "u", "y", "th", "y",	/* F8 */
};

/* Other characters with a meaning here; the rest are kept as they are. */
enum tax_fold_kind {
	FOLD_JOIN,		/* an apostrophe: dropped, the word goes on */
	FOLD_LETTERS		/* replaced by `to` */
};

static const struct {
	const char		*from;
	enum tax_fold_kind	 kind;
	const char		*to;
} tax_folds[] = {
	{ .from = "\xe2\x80\x98", .kind = FOLD_JOIN },	/* left quote */
	{ .from = "\xe2\x80\x99", .kind = FOLD_JOIN },	/* right quote */
	{ .from = "\xca\xbc", .kind = FOLD_JOIN },	/* modifier letter */
	{ .from = "\xc2\xb4", .kind = FOLD_JOIN },	/* acute accent */
	{ .from = "\xc5\x92", .kind = FOLD_LETTERS, .to = "oe" },
	{ .from = "\xc5\x93", .kind = FOLD_LETTERS, .to = "oe" },
	{ .from = "\xc5\xb8", .kind = FOLD_LETTERS, .to = "y" },
};

/* Words that join others and are dropped: "&", "and", "'n'", "&amp;". */
static const char *const tax_dropped[] = { "and", "n", "amp" };

/* A phrase in normal form, and where its words are. */
struct tax_norm {
	char	 s[TAX_MAX_NORM];
	size_t	 len;
	size_t	 start[TAX_MAX_WORDS];	/* where each word starts */
	size_t	 nwords;
	size_t	 word;		/* where the open word starts */
	int	 open;		/* a word is being written */
	int	 full;		/* out of room: the phrase is refused */
};

static int	 tax_normalize(const char *, struct tax_norm *);
static void	 tax_put(struct tax_norm *, const char *, size_t);
static void	 tax_end_word(struct tax_norm *);
static const struct tax_phrase *tax_whole(const struct tax_table *,
		    const struct tax_norm *);
static const struct tax_phrase *tax_longest(const struct tax_table *,
		    const struct tax_norm *, size_t);
static int	 tax_match(enum taxonomy_kind, const char *, uint64_t *);
static size_t	 tax_emit(enum taxonomy_kind, uint64_t, const char **,
		    size_t);
static const struct tax_table *tax_table(enum taxonomy_kind);

/* The table of a kind, or NULL for a kind that does not exist. */
static const struct tax_table *
tax_table(enum taxonomy_kind kind)
{
	if ((unsigned)kind >= nitems(tax_tables))
		return NULL;
	return &tax_tables[kind];
}

/* Appends to the open word, opening one (after a space) if need be. */
static void
tax_put(struct tax_norm *n, const char *p, size_t len)
{
	if (n->full)
		return;
	if (!n->open) {
		if (n->len + 1 >= sizeof n->s) {
			n->full = 1;
			return;
		}
		if (n->len > 0)
			n->s[n->len++] = ' ';
		n->word = n->len;
		n->open = 1;
	}
	if (n->len + len >= sizeof n->s) {
		n->full = 1;
		return;
	}
	memcpy(n->s + n->len, p, len);
	n->len += len;
	n->s[n->len] = '\0';
}

/* Closes the open word: drops a joining word, records any other. */
static void
tax_end_word(struct tax_norm *n)
{
	size_t	wlen, i;

	if (!n->open || n->full)
		return;
	n->open = 0;
	wlen = n->len - n->word;
	for (i = 0; i < nitems(tax_dropped); i++)
		if (strlen(tax_dropped[i]) == wlen &&
		    memcmp(n->s + n->word, tax_dropped[i], wlen) == 0) {
			/* Take the word back, and the space before it. */
			n->len = n->word > 0 ? n->word - 1 : 0;
			n->s[n->len] = '\0';
			return;
		}
	if (n->nwords == TAX_MAX_WORDS) {
		n->full = 1;
		return;
	}
	n->start[n->nwords++] = n->word;
}

/*
 * Puts `in` in normal form (see the top of the file).  Returns 0, or -1
 * when it is NULL, longer than TAXONOMY_MAX_PHRASE bytes, not UTF-8, or
 * has no word left.
 */
static int
tax_normalize(const char *in, struct tax_norm *n)
{
	const unsigned char	*p, *e;
	size_t			 len, k, i;
	char			 c;

	n->len = n->nwords = 0;
	n->open = n->full = 0;
	n->s[0] = '\0';
	if (in == NULL)
		return -1;
	len = strnlen(in, TAXONOMY_MAX_PHRASE + 1);
	if (len > TAXONOMY_MAX_PHRASE || !utf8_valid(in, len))
		return -1;
	p = (const unsigned char *)in;
	e = p + len;
	while (p < e && !n->full) {
		if (*p < 0x80) {
			c = (char)*p;
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
				tax_put(n, &c, 1);
			else if (c == '\'' || c == '`')
				;	/* "men's" is one word */
			else if (c == '+' && n->open &&
			    n->s[n->len - 1] >= '0' &&
			    n->s[n->len - 1] <= '9') {
				tax_end_word(n);
				tax_put(n, "plus", 4);
				tax_end_word(n);
			} else
				tax_end_word(n);
			p++;
			continue;
		}
		/* utf8_valid() said the sequence is whole. */
		k = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
		if (k == 2 && p[0] == 0xc3) {
			if (*tax_latin1[p[1] - 0x80] == '\0')
				tax_end_word(n);
			else
				tax_put(n, tax_latin1[p[1] - 0x80],
				    strlen(tax_latin1[p[1] - 0x80]));
			p += k;
			continue;
		}
		/* A combining accent (U+0300 to U+036F): dropped. */
		if (k == 2 && (p[0] == 0xcc ||
		    (p[0] == 0xcd && p[1] <= 0xaf))) {
			p += k;
			continue;
		}
		for (i = 0; i < nitems(tax_folds); i++)
			if (strlen(tax_folds[i].from) == k &&
			    memcmp(p, tax_folds[i].from, k) == 0)
				break;
		if (i < nitems(tax_folds)) {
			if (tax_folds[i].kind == FOLD_LETTERS)
				tax_put(n, tax_folds[i].to,
				    strlen(tax_folds[i].to));
			/* FOLD_JOIN: nothing to write. */
		} else if ((k == 2 && p[0] == 0xc2) ||
		    (k == 3 && p[0] == 0xe2 && p[1] >= 0x80 && p[1] <= 0x85))
			/* Latin-1 signs, punctuation, ™ and the like. */
			tax_end_word(n);
		else
			tax_put(n, (const char *)p, k);
		p += k;
	}
	tax_end_word(n);
	if (n->full || n->nwords == 0)
		return -1;
	return 0;
}

/* The row of `t` whose phrase is the whole of `n`, or NULL. */
static const struct tax_phrase *
tax_whole(const struct tax_table *t, const struct tax_norm *n)
{
	const struct tax_phrase	*r;
	size_t			 i;

	for (i = 0; i < t->nphrases; i++) {
		r = &t->phrases[i];
		if (r->len == n->len && r->phrase[0] == n->s[0] &&
		    memcmp(r->phrase, n->s, n->len) == 0)
			return r;
	}
	return NULL;
}

/*
 * The row of `t` with the longest phrase that is a run of whole words of
 * `n` starting at byte `at`, or NULL; rows that count only as a whole
 * phrase are left out.  One pass over the table, whatever the length.
 */
static const struct tax_phrase *
tax_longest(const struct tax_table *t, const struct tax_norm *n, size_t at)
{
	const struct tax_phrase	*r, *best = NULL;
	size_t			 i, room = n->len - at;

	for (i = 0; i < t->nphrases; i++) {
		r = &t->phrases[i];
		if (r->whole || r->len > room || r->phrase[0] != n->s[at] ||
		    (best != NULL && r->len <= best->len))
			continue;
		if ((r->len == room || n->s[at + r->len] == ' ') &&
		    memcmp(r->phrase, n->s + at, r->len) == 0)
			best = r;
	}
	return best;
}

/*
 * Reads `phrase` against the table of `kind`: the whole phrase first,
 * then the longest known run of words from each place, left to right.
 * Stores the values found as bits in `*bits`.  Returns 1 when some row
 * matched (perhaps one that means nothing), 0 when none did.
 */
static int
tax_match(enum taxonomy_kind kind, const char *phrase, uint64_t *bits)
{
	const struct tax_table	*t;
	const struct tax_phrase	*r;
	struct tax_norm		 n;
	size_t			 i, end;
	int			 found = 0;

	*bits = 0;
	if ((t = tax_table(kind)) == NULL || tax_normalize(phrase, &n) == -1)
		return 0;
	if ((r = tax_whole(t, &n)) != NULL) {
		*bits = r->to;
		return 1;
	}
	/*
	 * Context rows count only whole; and a run of the words of a phrase
	 * of one word is the whole phrase, which no row is.
	 */
	if (kind == TAXONOMY_CONTEXT || n.nwords == 1)
		return 0;
	i = 0;
	while (i < n.nwords) {
		if ((r = tax_longest(t, &n, n.start[i])) == NULL) {
			i++;
			continue;
		}
		*bits |= r->to;
		found = 1;
		/* Go on after the last word the phrase covered. */
		end = n.start[i] + r->len;
		while (i < n.nwords && n.start[i] < end)
			i++;
	}
	return found;
}

/* Stores the names of the values in `bits`, in table order, up to `max`. */
static size_t
tax_emit(enum taxonomy_kind kind, uint64_t bits, const char **values,
    size_t max)
{
	const struct tax_table	*t = tax_table(kind);
	size_t			 i, n = 0;

	if (t == NULL || values == NULL)
		return 0;
	for (i = 0; i < t->nvalues && n < max; i++)
		if (bits & B(i))
			values[n++] = t->values[i].name;
	return n;
}

/*
 * The activity terms a published category means.
 *
 * Contract: `category` is any text from a feed (a <category>, an iCalendar
 * CATEGORIES value, an OpenActive activity prefLabel, a dh:activity), or
 * NULL.  Text longer than TAXONOMY_MAX_PHRASE bytes, text that is not
 * UTF-8, and text with no letters or digits map to nothing.  Stores at most
 * `max` terms in `terms` (which may be NULL only when `max` is 0), each a
 * string constant that lives as long as the program, in the vocabulary's
 * order and each once, and returns how many it stored.  A vocabulary term
 * itself ("dementia-cafe") maps to that term.  Never allocates; safe from
 * any thread.
 */
size_t
taxonomy_activities(const char *category, const char **terms, size_t max)
{
	uint64_t	bits;

	if (!tax_match(TAXONOMY_ACTIVITY, category, &bits))
		return 0;
	return tax_emit(TAXONOMY_ACTIVITY, bits, terms, max);
}

/*
 * The v1 access values a published phrase means ("Step-free access",
 * "Induction loop", "Changing Places toilet").  Contract as for
 * taxonomy_activities().
 */
size_t
taxonomy_access(const char *phrase, const char **values, size_t max)
{
	uint64_t	bits;

	if (!tax_match(TAXONOMY_ACCESS, phrase, &bits))
		return 0;
	return tax_emit(TAXONOMY_ACCESS, bits, values, max);
}

/*
 * The v1 groups values a published phrase means ("Over 60s", "Sight
 * loss", "Autistic adults").  Contract as for taxonomy_activities().
 */
size_t
taxonomy_groups(const char *phrase, const char **values, size_t max)
{
	uint64_t	bits;

	if (!tax_match(TAXONOMY_GROUP, phrase, &bits))
		return 0;
	return tax_emit(TAXONOMY_GROUP, bits, values, max);
}

/*
 * 1 when a whole category is a known word for when, who or what sort of
 * listing ("Weekend", "Young adults", "Events"), which names no activity;
 * 0 otherwise.  Contract as for taxonomy_activities().
 */
int
taxonomy_context(const char *category)
{
	uint64_t	bits;

	return tax_match(TAXONOMY_CONTEXT, category, &bits);
}

/*
 * Writes the normal form of `phrase` (lower case, accents folded, joining
 * words dropped, one space between words) to `out` and returns its
 * length; returns 0 and writes "" when the phrase maps to nothing at all
 * or the form does not fit in `outlen` bytes.  Two categories with the
 * same normal form are the same category.
 */
size_t
taxonomy_normalize(const char *phrase, char *out, size_t outlen)
{
	struct tax_norm	n;

	if (out == NULL || outlen == 0)
		return 0;
	out[0] = '\0';
	if (tax_normalize(phrase, &n) == -1 || n.len >= outlen)
		return 0;
	memcpy(out, n.s, n.len + 1);
	return n.len;
}

/* 1 when `term` is a term of the activity vocabulary, as stored. */
int
taxonomy_term_valid(const char *term)
{
	return taxonomy_value_label(TAXONOMY_ACTIVITY, term) != NULL;
}

/* A term's label for a kiosk button ("Dementia cafe"), or NULL. */
const char *
taxonomy_term_label(const char *term)
{
	return taxonomy_value_label(TAXONOMY_ACTIVITY, term);
}

/* How many terms the activity vocabulary has. */
size_t
taxonomy_count(void)
{
	return nitems(tax_terms);
}

/* The i-th term of the vocabulary, or NULL past the end. */
const char *
taxonomy_term_at(size_t i)
{
	return taxonomy_value_at(TAXONOMY_ACTIVITY, i);
}

/* The i-th value of a kind (term, access or groups value), or NULL. */
const char *
taxonomy_value_at(enum taxonomy_kind kind, size_t i)
{
	const struct tax_table	*t = tax_table(kind);

	if (t == NULL || i >= t->nvalues)
		return NULL;
	return t->values[i].name;
}

/* A value's label for people ("Hearing loop"), or NULL if no such value. */
const char *
taxonomy_value_label(enum taxonomy_kind kind, const char *value)
{
	const struct tax_table	*t = tax_table(kind);
	size_t			 i;

	if (t == NULL || value == NULL)
		return NULL;
	for (i = 0; i < t->nvalues; i++)
		if (strcmp(t->values[i].name, value) == 0)
			return t->values[i].label;
	return NULL;
}

/*
 * The i-th published phrasing a kind's table knows, in normal form, or
 * NULL past the end; `*whole` (when not NULL) says whether it counts only
 * as a whole phrase.  For the tests and the documentation.
 */
const char *
taxonomy_phrase_at(enum taxonomy_kind kind, size_t i, int *whole)
{
	const struct tax_table	*t = tax_table(kind);

	if (t == NULL || i >= t->nphrases)
		return NULL;
	if (whole != NULL)
		*whole = t->phrases[i].whole;
	return t->phrases[i].phrase;
}
