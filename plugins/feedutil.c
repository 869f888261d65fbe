/*
 * feedutil.c - helpers shared by the feed format modules: a string
 * buffer, repairs made to XML before parsing, dates, text, HTML and links,
 * and the safe reading of an XML feed into records (feedutil_xml_*,
 * feedutil_item_*) with the element-to-field table the modules share.
 *
 * Every function here takes outside input and is reentrant: state lives
 * on the stack or in what the caller passes, tables are const, libxml2 is
 * used only through per-call parser contexts (and the per-thread error
 * handler, borrowed and given back), and nothing reads the environment
 * or the locale.  Allocation failure is reported, never fatal, because a
 * module must not abort its host.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>

#include "feedutil.h"

/* Cap on HTML read for plain text: more markup than this is not text. */
#define FEEDUTIL_HTML_MAX_INPUT	(4 * 1024 * 1024)
/* Cap on names an internal subset declares that entity repair tracks. */
#define FEEDUTIL_DECL_MAX	4096
/* Longest entity name entity repair recognises. */
#define FEEDUTIL_ENTITY_NAME_MAX 32
/* Limits on reading an XML feed (see feedutil_xml_open()). */
#define FEEDUTIL_MAX_VALUES	256	/* values kept for one record */
#define FEEDUTIL_MAX_LIST	64	/* values in one list field */
#define FEEDUTIL_MAX_WARNED	32	/* unknown dh: names warned about */
#define FEEDUTIL_WARNED_NAME	48	/* bytes of such a name compared */
#define FEEDUTIL_MAX_GATHER	(4 * FEEDUTIL_MAX_TEXT) /* raw bytes read */
#define FEEDUTIL_MAX_ENTITY_DEPTH 8	/* entities inside entities */
#define FEEDUTIL_MAX_EXPANSION	(1024 * 1024) /* entity text per document */
#define FEEDUTIL_ERROR_MAX	200	/* bytes of libxml2's first error */
#define FEEDUTIL_NS_MEMO	8	/* namespaces remembered */
#define FEEDUTIL_ROW_MEMO_BITS	8
#define FEEDUTIL_ROW_MEMO	(1 << FEEDUTIL_ROW_MEMO_BITS) /* names */

enum feedutil_break {
	FEEDUTIL_BREAK_NONE,
	FEEDUTIL_BREAK_SPACE,
	FEEDUTIL_BREAK_LINE,
	FEEDUTIL_BREAK_PARA
};

/* Plain text being written, with the break owed before the next word. */
struct feedutil_text {
	struct feedutil_buf	 b;
	size_t			 max;
	enum feedutil_break	 pending;
	const char		*prefix;	/* "- " owed by a list item */
	int			 full;
};

enum feedutil_tag {
	FEEDUTIL_TAG_INLINE,
	FEEDUTIL_TAG_DROP,	/* script, style: no text at all */
	FEEDUTIL_TAG_LINE,	/* a block that starts a line */
	FEEDUTIL_TAG_PARA,	/* a block set apart by a blank line */
	FEEDUTIL_TAG_PRE,	/* a paragraph keeping its line breaks */
	FEEDUTIL_TAG_BR,
	FEEDUTIL_TAG_LI,
	FEEDUTIL_TAG_CELL
};

/*
 * One value of the record being built.  The text is in the parse's
 * value arena at `off`; the field name is compared by its length and its
 * first 8 bytes (`key`) before any byte-by-byte comparison.
 */
struct feedutil_value {
	const char	*field;
	size_t		 flen;
	uint64_t	 key;
	size_t		 off;
	size_t		 len;
	int		 prio;
};

/* A namespace seen on an element, and the vocabulary it is. */
struct feedutil_nsmemo {
	const xmlNs		*ns;
	enum feedutil_ns	 v;
};

/* An element name (by its interned pointer) and the table row it maps to. */
struct feedutil_rowmemo {
	const xmlChar			*name;
	const struct feedutil_map	*table;
	const struct feedutil_map	*row;	/* NULL: no row maps it */
	enum feedutil_ns		 ns;
};

/* One parse of one XML feed: everything is here, nothing is global. */
struct feedutil_xml {
	const struct dayhub_input	*in;
	const struct dayhub_host	*host;
	void				*sink;
	const char *const		*core;		/* the module's URIs */
	const xmlChar			*core_extra;
	xmlDocPtr			 doc;
	size_t				 max_depth;
	size_t				 nrecords;
	char				*fallback;	/* base if no xml:base */
	struct feedutil_repairs		 rep;
	int				 oom;
	int				 said;		/* error() was called */

	/* What the parser reported. */
	int				 wellformed;
	int				 too_deep;
	unsigned long			 too_deep_line;
	int				 entity_loop;
	int				 nerrors;
	unsigned long			 first_line;
	char				 first_msg[FEEDUTIL_ERROR_MAX];

	/* Entity expansion by the text walker. */
	size_t				 expanded;
	int				 expand_warned;
	int				 external_warned;
	/* Markup escaped twice, read as HTML: warned about once. */
	int				 twice_warned;
	int				 limit_warned;

	/* Unknown dh: elements already warned about. */
	char				 warned[FEEDUTIL_MAX_WARNED]
					    [FEEDUTIL_WARNED_NAME];
	size_t				 nwarned;

	/* Whether any element has an xml:base attribute. */
	int				 has_base;

	/*
	 * What elements were found to be, remembered for the elements
	 * after them: their namespace by the xmlNs they point to, their
	 * table row by their interned name.  Only ever a shortcut: a miss
	 * is worked out afresh.
	 */
	struct feedutil_nsmemo		 nsmemo[FEEDUTIL_NS_MEMO];
	unsigned int			 nsnext;
	struct feedutil_rowmemo		 rowmemo[FEEDUTIL_ROW_MEMO];

	/* Text being made into a value, reused from value to value. */
	struct feedutil_buf		 scratch[2];

	/* The record being built: its values, their text in `arena`. */
	struct feedutil_value		 values[FEEDUTIL_MAX_VALUES];
	size_t				 nvalues;
	int				 values_warned;
	struct feedutil_buf		 arena;
};

static int	 feedutil_buf_room(struct feedutil_buf *, size_t);
static size_t	 feedutil_utf8_decode(const unsigned char *, size_t,
		    uint32_t *);
static size_t	 feedutil_utf8_encode(uint32_t, unsigned char *);
static size_t	 feedutil_utf8_bad_len(const unsigned char *, size_t);
static int	 feedutil_is_space(uint32_t, enum feedutil_break *);
static int	 feedutil_is_dropped(uint32_t);
static void	 feedutil_text_init(struct feedutil_text *, size_t);
static void	 feedutil_text_feed(struct feedutil_text *, const char *,
		    size_t, int);
static void	 feedutil_text_owed(struct feedutil_text *);
static void	 feedutil_text_break(struct feedutil_text *,
		    enum feedutil_break);
static void	 feedutil_text_trim(struct feedutil_text *);
static char	*feedutil_text_end(struct feedutil_text *);
static int	 feedutil_is_clean(const char *, size_t, size_t);
static char	*feedutil_clean(const char *, size_t, size_t, int);
static enum feedutil_tag feedutil_tag_kind(const char *);
static void	 feedutil_html_enter(struct feedutil_text *,
		    enum feedutil_tag, int *);
static void	 feedutil_html_leave(struct feedutil_text *,
		    enum feedutil_tag, int *);
static int	 feedutil_html_feed(struct feedutil_text *, const char *,
		    size_t);
static int	 feedutil_html_parse(struct feedutil_text *, const char *,
		    size_t);
static void	 feedutil_utf8_mend(struct feedutil_buf *, const char *,
		    size_t);
static int	 feedutil_blank(int);
static int	 feedutil_alpha(int);
static int	 feedutil_quick_bytes(const unsigned char *, size_t);
static int	 feedutil_quick_tag(const unsigned char **,
		    const unsigned char *);
static uint32_t	 feedutil_quick_ref(const unsigned char **,
		    const unsigned char *);
static void	 feedutil_quick_para(struct feedutil_text *, unsigned char *,
		    size_t *, int *, int *);
static int	 feedutil_html_quick(struct feedutil_text *, const char *,
		    size_t);
static int	 feedutil_days_in_month(int, int);
static int	 feedutil_digits(const char **, int, int, int *);
static int	 feedutil_word(const char **, char *, size_t);
static int	 feedutil_month(const char *);
static int	 feedutil_zone(const char **, int *);
static int	 feedutil_date_iso(const char *, int *, int *, int *);
static int	 feedutil_date_rfc822(const char *, int *, int *, int *);
static void	 feedutil_put_digits(char *, int *, int, int);
static int	 feedutil_hex(int);
static int	 feedutil_pc_char(int, char *);
static int	 feedutil_postcode_shape(const char *, size_t);
static int	 feedutil_url_pchar(int);
static int	 feedutil_url_plain(const char *, size_t);
static int	 feedutil_is_utf16(const unsigned char *, size_t);
static int	 feedutil_declares_utf8(const unsigned char *, size_t);
static void	 feedutil_fix_note(struct feedutil_fix *, unsigned long,
		    const char *, size_t);
static uint32_t	 feedutil_cp1252(unsigned int);
static int	 feedutil_xml_char_ok(uint32_t);
static int	 feedutil_xml_sound(const unsigned char *, size_t,
		    struct feedutil_repairs *);
static int	 feedutil_entities_sound(const char *, size_t);
static size_t	 feedutil_find(const char *, size_t, size_t, const char *);
static size_t	 feedutil_doctype_end(const char *, size_t, size_t,
		    struct feedutil_buf *);
static int	 feedutil_declared(const struct feedutil_buf *, const char *,
		    size_t);
static size_t	 feedutil_entity_ref(const char *, size_t, size_t,
		    unsigned long, const struct feedutil_buf *,
		    struct feedutil_buf *, struct feedutil_repairs *);
static int	 feedutil_name_char(int, int);
static size_t	 feedutil_skip_prolog(const unsigned char *, size_t,
		    size_t, int *);
static int	 feedutil_root_tag(const unsigned char **, size_t *,
		    unsigned char *, size_t, size_t *);
static void	 feedutil_xml_error_cb(void *, xmlErrorPtr);
static void	 feedutil_xml_start_cb(void *, const xmlChar *,
		    const xmlChar *, const xmlChar *, int, const xmlChar **,
		    int, int, const xmlChar **);
static void	 feedutil_xml_end_cb(void *, const xmlChar *,
		    const xmlChar *, const xmlChar *);
static int	 feedutil_xml_parse(struct feedutil_xml *, const char *,
		    size_t);
static void	 feedutil_gather_text(struct feedutil_xml *, xmlNodePtr,
		    struct feedutil_buf *, int);
static void	 feedutil_gather_markup(struct feedutil_xml *, xmlNodePtr,
		    struct feedutil_buf *);
static void	 feedutil_gather_entity(struct feedutil_xml *, xmlNodePtr,
		    struct feedutil_buf *, int);
static char	*feedutil_xml_base(struct feedutil_xml *, xmlNodePtr, int *);
static int	 feedutil_is_list(const char *, size_t);
static uint64_t	 feedutil_field_key(const char *, size_t *);
static const struct feedutil_map *feedutil_row(const xmlChar *,
		    enum feedutil_ns, const struct feedutil_map *, size_t);
static void	 feedutil_convert_clean(struct feedutil_xml *, xmlNodePtr,
		    const struct feedutil_map *, const char *);
static void	 feedutil_scratch_begin(struct feedutil_xml *, int,
		    struct feedutil_text *, size_t);
static const char *feedutil_scratch_end(struct feedutil_xml *, int,
		    struct feedutil_text *, size_t *);
static const char *feedutil_scratch_clean(struct feedutil_xml *, int,
		    const char *, size_t, size_t, size_t *);
static const char *feedutil_rich(struct feedutil_xml *, const char *,
		    size_t, size_t, size_t *);
static const char *feedutil_plain(struct feedutil_xml *, xmlNodePtr,
		    const char *, size_t, size_t, size_t *);
static int	 feedutil_markup_paired(const char *, size_t);
static int	 feedutil_quick_known(const char *);
static const char *feedutil_xml_raw(struct feedutil_xml *, xmlNodePtr,
		    enum feedutil_gather, size_t *, char **);
static void	 feedutil_point(struct feedutil_xml *, xmlNodePtr,
		    const struct feedutil_map *, const char *, size_t);
static void	 feedutil_where(struct feedutil_xml *, xmlNodePtr,
		    const struct feedutil_map *);
static int	 feedutil_has_mail_brackets(const char *, size_t);
static void	 feedutil_author(struct feedutil_xml *,
		    const struct feedutil_map *, const char *);
static void	 feedutil_split(struct feedutil_xml *, xmlNodePtr,
		    const struct feedutil_map *, const char *);
static void	 feedutil_item_date(struct feedutil_xml *, xmlNodePtr,
		    const struct feedutil_map *, const char *, size_t);
static int	 feedutil_coord(const char *, size_t, double);
static void	 feedutil_warn_unknown(struct feedutil_xml *, xmlNodePtr);

/*
 * The HTML 4 named entities (Latin-1, symbols and special), sorted by
 * name in byte order for a binary search.
 */
static const struct {
	const char	*name;
	uint32_t	 cp;
} feedutil_entities[] = {
	{ "AElig", 198 },
	{ "Aacute", 193 },
	{ "Acirc", 194 },
	{ "Agrave", 192 },
	{ "Alpha", 913 },
	{ "Aring", 197 },
	{ "Atilde", 195 },
	{ "Auml", 196 },
	{ "Beta", 914 },
	{ "Ccedil", 199 },
	{ "Chi", 935 },
	{ "Dagger", 8225 },
	{ "Delta", 916 },
	{ "ETH", 208 },
	{ "Eacute", 201 },
	{ "Ecirc", 202 },
	{ "Egrave", 200 },
	{ "Epsilon", 917 },
	{ "Eta", 919 },
	{ "Euml", 203 },
	{ "Gamma", 915 },
	{ "Iacute", 205 },
	{ "Icirc", 206 },
	{ "Igrave", 204 },
	{ "Iota", 921 },
	{ "Iuml", 207 },
	{ "Kappa", 922 },
	{ "Lambda", 923 },
	{ "Mu", 924 },
	{ "Ntilde", 209 },
	{ "Nu", 925 },
	{ "OElig", 338 },
	{ "Oacute", 211 },
	{ "Ocirc", 212 },
	{ "Ograve", 210 },
	{ "Omega", 937 },
	{ "Omicron", 927 },
	{ "Oslash", 216 },
	{ "Otilde", 213 },
	{ "Ouml", 214 },
	{ "Phi", 934 },
	{ "Pi", 928 },
	{ "Prime", 8243 },
	{ "Psi", 936 },
	{ "Rho", 929 },
	{ "Scaron", 352 },
	{ "Sigma", 931 },
	{ "THORN", 222 },
	{ "Tau", 932 },
	{ "Theta", 920 },
	{ "Uacute", 218 },
	{ "Ucirc", 219 },
	{ "Ugrave", 217 },
	{ "Upsilon", 933 },
	{ "Uuml", 220 },
	{ "Xi", 926 },
	{ "Yacute", 221 },
	{ "Yuml", 376 },
	{ "Zeta", 918 },
	{ "aacute", 225 },
	{ "acirc", 226 },
	{ "acute", 180 },
	{ "aelig", 230 },
	{ "agrave", 224 },
	{ "alefsym", 8501 },
	{ "alpha", 945 },
	{ "amp", 38 },
	{ "and", 8743 },
	{ "ang", 8736 },
	{ "aring", 229 },
	{ "asymp", 8776 },
	{ "atilde", 227 },
	{ "auml", 228 },
	{ "bdquo", 8222 },
	{ "beta", 946 },
	{ "brvbar", 166 },
	{ "bull", 8226 },
	{ "cap", 8745 },
	{ "ccedil", 231 },
	{ "cedil", 184 },
	{ "cent", 162 },
	{ "chi", 967 },
	{ "circ", 710 },
	{ "clubs", 9827 },
	{ "cong", 8773 },
	{ "copy", 169 },
	{ "crarr", 8629 },
	{ "cup", 8746 },
	{ "curren", 164 },
	{ "dArr", 8659 },
	{ "dagger", 8224 },
	{ "darr", 8595 },
	{ "deg", 176 },
	{ "delta", 948 },
	{ "diams", 9830 },
	{ "divide", 247 },
	{ "eacute", 233 },
	{ "ecirc", 234 },
	{ "egrave", 232 },
	{ "empty", 8709 },
	{ "emsp", 8195 },
	{ "ensp", 8194 },
	{ "epsilon", 949 },
	{ "equiv", 8801 },
	{ "eta", 951 },
	{ "eth", 240 },
	{ "euml", 235 },
	{ "euro", 8364 },
	{ "exist", 8707 },
	{ "fnof", 402 },
	{ "forall", 8704 },
	{ "frac12", 189 },
	{ "frac14", 188 },
	{ "frac34", 190 },
	{ "frasl", 8260 },
	{ "gamma", 947 },
	{ "ge", 8805 },
	{ "gt", 62 },
	{ "hArr", 8660 },
	{ "harr", 8596 },
	{ "hearts", 9829 },
	{ "hellip", 8230 },
	{ "iacute", 237 },
	{ "icirc", 238 },
	{ "iexcl", 161 },
	{ "igrave", 236 },
	{ "image", 8465 },
	{ "infin", 8734 },
	{ "int", 8747 },
	{ "iota", 953 },
	{ "iquest", 191 },
	{ "isin", 8712 },
	{ "iuml", 239 },
	{ "kappa", 954 },
	{ "lArr", 8656 },
	{ "lambda", 955 },
	{ "lang", 9001 },
	{ "laquo", 171 },
	{ "larr", 8592 },
	{ "lceil", 8968 },
	{ "ldquo", 8220 },
	{ "le", 8804 },
	{ "lfloor", 8970 },
	{ "lowast", 8727 },
	{ "loz", 9674 },
	{ "lrm", 8206 },
	{ "lsaquo", 8249 },
	{ "lsquo", 8216 },
	{ "lt", 60 },
	{ "macr", 175 },
	{ "mdash", 8212 },
	{ "micro", 181 },
	{ "middot", 183 },
	{ "minus", 8722 },
	{ "mu", 956 },
	{ "nabla", 8711 },
	{ "nbsp", 160 },
	{ "ndash", 8211 },
	{ "ne", 8800 },
	{ "ni", 8715 },
	{ "not", 172 },
	{ "notin", 8713 },
	{ "nsub", 8836 },
	{ "ntilde", 241 },
	{ "nu", 957 },
	{ "oacute", 243 },
	{ "ocirc", 244 },
	{ "oelig", 339 },
	{ "ograve", 242 },
	{ "oline", 8254 },
	{ "omega", 969 },
	{ "omicron", 959 },
	{ "oplus", 8853 },
	{ "or", 8744 },
	{ "ordf", 170 },
	{ "ordm", 186 },
	{ "oslash", 248 },
	{ "otilde", 245 },
	{ "otimes", 8855 },
	{ "ouml", 246 },
	{ "para", 182 },
	{ "part", 8706 },
	{ "permil", 8240 },
	{ "perp", 8869 },
	{ "phi", 966 },
	{ "pi", 960 },
	{ "piv", 982 },
	{ "plusmn", 177 },
	{ "pound", 163 },
	{ "prime", 8242 },
	{ "prod", 8719 },
	{ "prop", 8733 },
	{ "psi", 968 },
	{ "quot", 34 },
	{ "rArr", 8658 },
	{ "radic", 8730 },
	{ "rang", 9002 },
	{ "raquo", 187 },
	{ "rarr", 8594 },
	{ "rceil", 8969 },
	{ "rdquo", 8221 },
	{ "real", 8476 },
	{ "reg", 174 },
	{ "rfloor", 8971 },
	{ "rho", 961 },
	{ "rlm", 8207 },
	{ "rsaquo", 8250 },
	{ "rsquo", 8217 },
	{ "sbquo", 8218 },
	{ "scaron", 353 },
	{ "sdot", 8901 },
	{ "sect", 167 },
	{ "shy", 173 },
	{ "sigma", 963 },
	{ "sigmaf", 962 },
	{ "sim", 8764 },
	{ "spades", 9824 },
	{ "sub", 8834 },
	{ "sube", 8838 },
	{ "sum", 8721 },
	{ "sup", 8835 },
	{ "sup1", 185 },
	{ "sup2", 178 },
	{ "sup3", 179 },
	{ "supe", 8839 },
	{ "szlig", 223 },
	{ "tau", 964 },
	{ "there4", 8756 },
	{ "theta", 952 },
	{ "thetasym", 977 },
	{ "thinsp", 8201 },
	{ "thorn", 254 },
	{ "tilde", 732 },
	{ "times", 215 },
	{ "trade", 8482 },
	{ "uArr", 8657 },
	{ "uacute", 250 },
	{ "uarr", 8593 },
	{ "ucirc", 251 },
	{ "ugrave", 249 },
	{ "uml", 168 },
	{ "upsih", 978 },
	{ "upsilon", 965 },
	{ "uuml", 252 },
	{ "weierp", 8472 },
	{ "xi", 958 },
	{ "yacute", 253 },
	{ "yen", 165 },
	{ "yuml", 255 },
	{ "zeta", 950 },
	{ "zwj", 8205 },
	{ "zwnj", 8204 },
};

/* What Windows-1252 puts in 0x80-0x9F; 0 where it puts nothing. */
static const uint16_t feedutil_cp1252_c1[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

static const struct {
	const char		*name;
	enum feedutil_tag	 kind;
} feedutil_tags[] = {
	{ "address", FEEDUTIL_TAG_PARA },
	{ "applet", FEEDUTIL_TAG_DROP },
	{ "article", FEEDUTIL_TAG_LINE },
	{ "aside", FEEDUTIL_TAG_LINE },
	{ "audio", FEEDUTIL_TAG_DROP },
	{ "blockquote", FEEDUTIL_TAG_PARA },
	{ "br", FEEDUTIL_TAG_BR },
	{ "canvas", FEEDUTIL_TAG_DROP },
	{ "caption", FEEDUTIL_TAG_LINE },
	{ "center", FEEDUTIL_TAG_LINE },
	{ "dd", FEEDUTIL_TAG_LINE },
	{ "details", FEEDUTIL_TAG_LINE },
	{ "div", FEEDUTIL_TAG_LINE },
	{ "dl", FEEDUTIL_TAG_PARA },
	{ "dt", FEEDUTIL_TAG_LINE },
	{ "embed", FEEDUTIL_TAG_DROP },
	{ "fieldset", FEEDUTIL_TAG_PARA },
	{ "figcaption", FEEDUTIL_TAG_LINE },
	{ "figure", FEEDUTIL_TAG_PARA },
	{ "footer", FEEDUTIL_TAG_LINE },
	{ "form", FEEDUTIL_TAG_PARA },
	{ "frame", FEEDUTIL_TAG_DROP },
	{ "frameset", FEEDUTIL_TAG_DROP },
	{ "h1", FEEDUTIL_TAG_PARA },
	{ "h2", FEEDUTIL_TAG_PARA },
	{ "h3", FEEDUTIL_TAG_PARA },
	{ "h4", FEEDUTIL_TAG_PARA },
	{ "h5", FEEDUTIL_TAG_PARA },
	{ "h6", FEEDUTIL_TAG_PARA },
	{ "head", FEEDUTIL_TAG_DROP },
	{ "header", FEEDUTIL_TAG_LINE },
	{ "hr", FEEDUTIL_TAG_PARA },
	{ "iframe", FEEDUTIL_TAG_DROP },
	{ "li", FEEDUTIL_TAG_LI },
	{ "main", FEEDUTIL_TAG_LINE },
	{ "math", FEEDUTIL_TAG_DROP },
	{ "nav", FEEDUTIL_TAG_LINE },
	{ "noscript", FEEDUTIL_TAG_DROP },
	{ "object", FEEDUTIL_TAG_DROP },
	{ "ol", FEEDUTIL_TAG_PARA },
	{ "option", FEEDUTIL_TAG_LINE },
	{ "p", FEEDUTIL_TAG_PARA },
	{ "pre", FEEDUTIL_TAG_PRE },
	{ "script", FEEDUTIL_TAG_DROP },
	{ "section", FEEDUTIL_TAG_LINE },
	{ "style", FEEDUTIL_TAG_DROP },
	{ "summary", FEEDUTIL_TAG_LINE },
	{ "svg", FEEDUTIL_TAG_DROP },
	{ "table", FEEDUTIL_TAG_PARA },
	{ "td", FEEDUTIL_TAG_CELL },
	{ "template", FEEDUTIL_TAG_DROP },
	{ "th", FEEDUTIL_TAG_CELL },
	{ "title", FEEDUTIL_TAG_DROP },
	{ "tr", FEEDUTIL_TAG_LINE },
	{ "ul", FEEDUTIL_TAG_PARA },
	{ "video", FEEDUTIL_TAG_DROP },
};

/* Zone names RSS dates use, as minutes east of UTC. */
static const struct {
	const char	*name;
	int		 offset;
} feedutil_zones[] = {
	{ "GMT", 0 }, { "UT", 0 }, { "UTC", 0 }, { "Z", 0 },
	{ "EST", -5 * 60 }, { "EDT", -4 * 60 },
	{ "CST", -6 * 60 }, { "CDT", -5 * 60 },
	{ "MST", -7 * 60 }, { "MDT", -6 * 60 },
	{ "PST", -8 * 60 }, { "PDT", -7 * 60 },
	{ "BST", 60 }, { "CET", 60 }, { "CEST", 120 },
};

static const char *const feedutil_months[] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec",
};

static const char *const feedutil_days[] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun",
};

/* The extension namespaces every XML module reads, by URI. */
static const struct {
	const char		*uri;
	enum feedutil_ns	 ns;
} feedutil_namespaces[] = {
	{ "http://purl.org/rss/1.0/modules/content/", FEEDUTIL_NS_CONTENT },
	{ "http://purl.org/dc/elements/1.1/", FEEDUTIL_NS_DC },
	{ "http://purl.org/rss/1.0/modules/event/", FEEDUTIL_NS_EV },
	{ "http://www.georss.org/georss", FEEDUTIL_NS_GEORSS },
	{ "http://www.w3.org/2003/01/geo/wgs84_pos#", FEEDUTIL_NS_GEO },
	{ "http://www.opengis.net/gml", FEEDUTIL_NS_GML },
	{ "urn:dayhub:activity:1.0", FEEDUTIL_NS_DH },
};

/*
 * What each extension element of an item or entry becomes, whatever the
 * format around it.  Where several elements feed one single-valued field,
 * `prio` says which wins (the first of equals): ev:organizer over
 * dc:creator, dh:venue over ev:location, georss over geo:lat/geo:long.
 * A module's own elements sit in its own table, with priorities on the
 * same scale (RSS <title> and Atom <title> are 2, so beat dc:title).
 */
static const struct feedutil_map feedutil_shared_map[] = {
	{ FEEDUTIL_NS_CONTENT, "encoded", "description", FEEDUTIL_HTML, 2 },
	{ FEEDUTIL_NS_DC, "title", "title", FEEDUTIL_TEXT, 1 },
	{ FEEDUTIL_NS_DC, "description", "summary", FEEDUTIL_HTML, 1 },
	{ FEEDUTIL_NS_DC, "date", "updated", FEEDUTIL_DATE, 1 },
	{ FEEDUTIL_NS_DC, "creator", "organiser.name", FEEDUTIL_TEXT, 1 },
	{ FEEDUTIL_NS_DC, "subject", "categories", FEEDUTIL_TEXT, 0 },
	{ FEEDUTIL_NS_EV, "startdate", "start", FEEDUTIL_DATE, 1 },
	{ FEEDUTIL_NS_EV, "enddate", "end", FEEDUTIL_DATE, 1 },
	{ FEEDUTIL_NS_EV, "location", "location.name", FEEDUTIL_LOCATION, 1 },
	{ FEEDUTIL_NS_EV, "organizer", "organiser.name", FEEDUTIL_TEXT, 3 },
	{ FEEDUTIL_NS_EV, "type", "categories", FEEDUTIL_TEXT, 0 },
	{ FEEDUTIL_NS_GEORSS, "point", "location.lat", FEEDUTIL_POINT, 2 },
	{ FEEDUTIL_NS_GEORSS, "where", "location.lat", FEEDUTIL_WHERE, 2 },
	{ FEEDUTIL_NS_GEO, "lat", "location.lat", FEEDUTIL_LAT, 1 },
	{ FEEDUTIL_NS_GEO, "long", "location.lon", FEEDUTIL_LON, 1 },
	{ FEEDUTIL_NS_DH, "activity", "activity", FEEDUTIL_TERMS, 0 },
	{ FEEDUTIL_NS_DH, "venue", "location.name", FEEDUTIL_TEXT, 2 },
	{ FEEDUTIL_NS_DH, "address", "location.address", FEEDUTIL_TEXT, 2 },
	{ FEEDUTIL_NS_DH, "postcode", "location.postcode", FEEDUTIL_TEXT, 2 },
	{ FEEDUTIL_NS_DH, "online", "location.online", FEEDUTIL_RAW, 2 },
	{ FEEDUTIL_NS_DH, "cost-min", "cost.min", FEEDUTIL_RAW, 2 },
	{ FEEDUTIL_NS_DH, "cost-max", "cost.max", FEEDUTIL_RAW, 2 },
	{ FEEDUTIL_NS_DH, "cost-per", "cost.per", FEEDUTIL_RAW, 2 },
	{ FEEDUTIL_NS_DH, "currency", "cost.currency", FEEDUTIL_RAW, 2 },
	{ FEEDUTIL_NS_DH, "free", "cost.free", FEEDUTIL_RAW, 2 },
	{ FEEDUTIL_NS_DH, "cost-notes", "cost.notes", FEEDUTIL_TEXT, 2 },
	{ FEEDUTIL_NS_DH, "funding", "funding", FEEDUTIL_TERMS, 0 },
	{ FEEDUTIL_NS_DH, "pathway", "pathway", FEEDUTIL_RAW, 2 },
	{ FEEDUTIL_NS_DH, "support-ratio", "support.ratio", FEEDUTIL_RAW, 2 },
	{ FEEDUTIL_NS_DH, "personal-care", "support.personal_care",
	    FEEDUTIL_RAW, 2 },
	{ FEEDUTIL_NS_DH, "access", "access", FEEDUTIL_TERMS, 0 },
	{ FEEDUTIL_NS_DH, "group", "groups", FEEDUTIL_TERMS, 0 },
	{ FEEDUTIL_NS_DH, "age-min", "age.min", FEEDUTIL_RAW, 2 },
	{ FEEDUTIL_NS_DH, "age-max", "age.max", FEEDUTIL_RAW, 2 },
	{ FEEDUTIL_NS_DH, "capacity", "capacity.max", FEEDUTIL_RAW, 2 },
	{ FEEDUTIL_NS_DH, "places-left", "capacity.remaining", FEEDUTIL_RAW,
	    2 },
	{ FEEDUTIL_NS_DH, "booking-url", "booking.url", FEEDUTIL_URL, 2 },
	{ FEEDUTIL_NS_DH, "booking-phone", "booking.phone", FEEDUTIL_TEXT, 2 },
	{ FEEDUTIL_NS_DH, "booking-email", "booking.email", FEEDUTIL_EMAIL,
	    2 },
	{ FEEDUTIL_NS_DH, "booking-required", "booking.required",
	    FEEDUTIL_RAW, 2 },
	{ FEEDUTIL_NS_DH, "carers-free", "carers.free", FEEDUTIL_RAW, 2 },
	{ FEEDUTIL_NS_DH, "carers-notes", "carers.notes", FEEDUTIL_TEXT, 2 },
	{ FEEDUTIL_NS_DH, "rrule", "schedule.rrule", FEEDUTIL_RAW, 2 },
	{ FEEDUTIL_NS_DH, "duration", "schedule.duration", FEEDUTIL_RAW, 2 },
	{ FEEDUTIL_NS_DH, "exdate", "schedule.exdates", FEEDUTIL_DATES, 0 },
	{ FEEDUTIL_NS_DH, "timezone", "timezone", FEEDUTIL_RAW, 2 },
	{ FEEDUTIL_NS_DH, "organiser-phone", "organiser.phone", FEEDUTIL_TEXT,
	    2 },
	{ FEEDUTIL_NS_DH, "organiser-email", "organiser.email",
	    FEEDUTIL_EMAIL, 2 },
	{ FEEDUTIL_NS_DH, "organiser-url", "organiser.url", FEEDUTIL_URL, 2 },
};

/* The list fields of plugin.h: a value per element, accumulating. */
static const struct {
	const char	*name;
	size_t		 len;
} feedutil_lists[] = {
	{ "categories", 10 }, { "access", 6 }, { "groups", 6 },
	{ "funding", 7 }, { "activity", 8 }, { "schedule.exdates", 16 },
};

/* --- the string buffer --- */

void
feedutil_buf_init(struct feedutil_buf *b)
{
	memset(b, 0, sizeof *b);
}

void
feedutil_buf_add(struct feedutil_buf *b, const void *p, size_t len)
{
	if (len == SIZE_MAX) {
		b->failed = 1;
		return;
	}
	if (feedutil_buf_room(b, len + 1) == -1)
		return;
	if (len > 0)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
}

/*
 * Makes room for `n` more bytes after the contents.  Returns 0, or -1
 * (and marks the buffer failed) when that cannot be.
 */
static int
feedutil_buf_room(struct feedutil_buf *b, size_t n)
{
	size_t	 need, cap;
	char	*d;

	if (b->failed)
		return -1;
	if (n > SIZE_MAX - b->len) {
		b->failed = 1;
		return -1;
	}
	need = b->len + n;
	if (need > b->cap) {
		cap = b->cap < 64 ? 64 : b->cap;
		while (cap < need)
			cap = cap > SIZE_MAX / 2 ? need : cap * 2;
		if ((d = realloc(b->data, cap)) == NULL) {
			b->failed = 1;
			return -1;
		}
		b->data = d;
		b->cap = cap;
	}
	return 0;
}

void
feedutil_buf_addc(struct feedutil_buf *b, int c)
{
	char	ch = (char)c;

	feedutil_buf_add(b, &ch, 1);
}

void
feedutil_buf_adds(struct feedutil_buf *b, const char *s)
{
	feedutil_buf_add(b, s, strlen(s));
}

/* Appends one code point as UTF-8; anything out of range as U+FFFD. */
void
feedutil_buf_add_utf8(struct feedutil_buf *b, uint32_t cp)
{
	unsigned char	u[4];

	feedutil_buf_add(b, u, feedutil_utf8_encode(cp, u));
}

/* Writes `cp` as UTF-8 to `u`, anything out of range as U+FFFD. */
static size_t
feedutil_utf8_encode(uint32_t cp, unsigned char *u)
{
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	u[0] = (unsigned char)(0xf0 | (cp >> 18));
	u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	u[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Hands the contents over to the caller ("" when empty) and resets the
 * buffer.  Returns NULL, freeing everything, when an allocation failed.
 */
char *
feedutil_buf_finish(struct feedutil_buf *b, size_t *len)
{
	char	*s;

	if (!b->failed && b->data == NULL)
		feedutil_buf_add(b, "", 0);
	if (b->failed) {
		feedutil_buf_free(b);
		return NULL;
	}
	s = b->data;
	if (len != NULL)
		*len = b->len;
	feedutil_buf_init(b);
	return s;
}

void
feedutil_buf_free(struct feedutil_buf *b)
{
	free(b->data);
	feedutil_buf_init(b);
}

/* --- UTF-8 --- */

/* Length of the valid UTF-8 sequence at `p` (1-4), with its code point, or 0. */
static size_t
feedutil_utf8_decode(const unsigned char *p, size_t len, uint32_t *cp)
{
	uint32_t	c;
	size_t		n, i;

	if (len == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * How many bytes of an invalid sequence to replace by one U+FFFD: a lead
 * byte with the continuation bytes that follow it, or one stray byte.
 */
static size_t
feedutil_utf8_bad_len(const unsigned char *p, size_t len)
{
	size_t	n = 1, want;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		want = 2;
	else if ((p[0] & 0xf0) == 0xe0)
		want = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		want = 4;
	else
		return 1;
	while (n < want && n < len && (p[n] & 0xc0) == 0x80)
		n++;
	return n;
}

size_t
feedutil_utf8_cut(const char *s, size_t len, size_t max)
{
	size_t	i;

	if (len <= max)
		return len;
	i = max;
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	return i;
}

/* --- plain text --- */

/* 1 when `cp` is white space; *brk says what break it stands for. */
static int
feedutil_is_space(uint32_t cp, enum feedutil_break *brk)
{
	*brk = FEEDUTIL_BREAK_SPACE;
	switch (cp) {
	case '\n':
	case 0x0b:
	case '\f':
	case 0x85:
	case 0x2028:
		*brk = FEEDUTIL_BREAK_LINE;
		return 1;
	case 0x2029:
		*brk = FEEDUTIL_BREAK_PARA;
		return 1;
	case ' ':
	case '\t':
	case 0xa0:
	case 0x1680:
	case 0x202f:
	case 0x205f:
	case 0x3000:
		return 1;
	}
	return cp >= 0x2000 && cp <= 0x200a;
}

/* 1 for control characters, byte order marks and non-characters. */
static int
feedutil_is_dropped(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0xfeff ||
	    (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe;
}

static void
feedutil_text_init(struct feedutil_text *t, size_t max)
{
	memset(t, 0, sizeof *t);
	feedutil_buf_init(&t->b);
	t->max = max;
}

/*
 * Adds outside text: bad UTF-8 becomes U+FFFD, controls go, white space
 * becomes the break it owes.  With `lines`, line breaks in the text are
 * kept (two or more make a blank line); without, they are spaces.
 */
static void
feedutil_text_feed(struct feedutil_text *t, const char *s, size_t len,
    int lines)
{
	const unsigned char	*p = (const unsigned char *)s;
	const unsigned char	*end = p + len, *q;
	enum feedutil_break	 brk;
	uint32_t		 cp;
	size_t			 n;
	int			 newlines = 0;

	while (p < end && !t->full) {
		if (*p > 0x20 && *p < 0x7f) {
			/*
			 * A run of printable ASCII goes in at once, with the
			 * single spaces between its words, which it owes
			 * anyway.
			 */
			for (q = p + 1; q < end; q++) {
				if (*q > 0x20 && *q < 0x7f)
					continue;
				if (*q != ' ' || end - q < 2 || q[1] <= 0x20 ||
				    q[1] >= 0x7f)
					break;
				q++;
			}
			newlines = 0;
			feedutil_text_owed(t);
			n = (size_t)(q - p);
			if (t->b.len <= t->max && n > t->max - t->b.len + 1)
				n = t->max - t->b.len + 1;
			else if (t->b.len > t->max)
				n = 1;
			feedutil_buf_add(&t->b, p, n);
			p += n;
			if (t->b.len > t->max)
				t->full = 1;
			continue;
		}
		if ((n = feedutil_utf8_decode(p, (size_t)(end - p), &cp)) == 0) {
			n = feedutil_utf8_bad_len(p, (size_t)(end - p));
			cp = 0xfffd;
		}
		if (cp == '\r') {
			/* CR LF is one break; a lone CR is one too. */
			if (p + 1 < end && p[1] == '\n') {
				p++;
				continue;
			}
			cp = '\n';
		}
		if (feedutil_is_space(cp, &brk)) {
			if (!lines)
				brk = FEEDUTIL_BREAK_SPACE;
			else if (brk == FEEDUTIL_BREAK_LINE && ++newlines > 1)
				brk = FEEDUTIL_BREAK_PARA;
			feedutil_text_break(t, brk);
			p += n;
			continue;
		}
		p += n;
		if (feedutil_is_dropped(cp))
			continue;
		newlines = 0;
		feedutil_text_owed(t);
		feedutil_buf_add_utf8(&t->b, cp);
		if (t->b.len > t->max)
			t->full = 1;
	}
}

/* Writes the break and the list prefix owed before a visible character. */
static void
feedutil_text_owed(struct feedutil_text *t)
{
	if (t->b.len > 0) {
		switch (t->pending) {
		case FEEDUTIL_BREAK_SPACE:
			feedutil_buf_addc(&t->b, ' ');
			break;
		case FEEDUTIL_BREAK_LINE:
			feedutil_buf_addc(&t->b, '\n');
			break;
		case FEEDUTIL_BREAK_PARA:
			feedutil_buf_add(&t->b, "\n\n", 2);
			break;
		case FEEDUTIL_BREAK_NONE:
			break;
		}
	}
	t->pending = FEEDUTIL_BREAK_NONE;
	if (t->prefix != NULL) {
		feedutil_buf_adds(&t->b, t->prefix);
		t->prefix = NULL;
	}
}

/* Owes at least the break `brk` before the next visible character. */
static void
feedutil_text_break(struct feedutil_text *t, enum feedutil_break brk)
{
	if (brk > t->pending)
		t->pending = brk;
}

/* Cuts to the cap on a character boundary and trims the end, in place. */
static void
feedutil_text_trim(struct feedutil_text *t)
{
	size_t	len;

	if (t->b.data == NULL)
		return;
	len = feedutil_utf8_cut(t->b.data, t->b.len, t->max);
	while (len > 0 && (t->b.data[len - 1] == ' ' ||
	    t->b.data[len - 1] == '\n'))
		len--;
	t->b.len = len;
	t->b.data[len] = '\0';
}

/* Cuts and trims the text (see above) and hands it over. */
static char *
feedutil_text_end(struct feedutil_text *t)
{
	if (t->b.failed) {
		feedutil_buf_free(&t->b);
		return NULL;
	}
	feedutil_text_trim(t);
	return feedutil_buf_finish(&t->b, NULL);
}

/*
 * 1 when cleaning `s` would give it back unchanged: valid UTF-8 of at most
 * `max` bytes with no control character, byte order mark, non-character
 * or white space but single spaces between words.
 */
static int
feedutil_is_clean(const char *s, size_t len, size_t max)
{
	const unsigned char	*p = (const unsigned char *)s;
	const unsigned char	*end = p + len;
	enum feedutil_break	 brk;
	uint32_t		 cp;
	size_t			 n;
	int			 space = 1;	/* none may lead */

	if (len > max)
		return 0;
	while (p < end) {
		if (*p > 0x20 && *p < 0x7f) {
			p++;
			space = 0;
			continue;
		}
		if (*p == ' ') {
			if (space)
				return 0;
			space = 1;
			p++;
			continue;
		}
		if (*p < 0x80 || (n = feedutil_utf8_decode(p,
		    (size_t)(end - p), &cp)) == 0 ||
		    feedutil_is_space(cp, &brk) || feedutil_is_dropped(cp))
			return 0;
		p += n;
		space = 0;
	}
	return len == 0 || !space;
}

static char *
feedutil_clean(const char *s, size_t len, size_t max, int lines)
{
	struct feedutil_text	 t;
	char			*v;

	/* Most values from a feed are clean already: copy them whole. */
	if (s != NULL && feedutil_is_clean(s, len, max)) {
		if ((v = malloc(len + 1)) != NULL) {
			memcpy(v, s, len);
			v[len] = '\0';
		}
		return v;
	}
	feedutil_text_init(&t, max);
	if (s != NULL)
		feedutil_text_feed(&t, s, len, lines);
	return feedutil_text_end(&t);
}

char *
feedutil_text_clean(const char *s, size_t len, size_t max)
{
	return feedutil_clean(s, len, max, 0);
}

char *
feedutil_text_clean_lines(const char *s, size_t len, size_t max)
{
	return feedutil_clean(s, len, max, 1);
}

/* --- HTML to text --- */

static enum feedutil_tag
feedutil_tag_kind(const char *name)
{
	size_t	lo = 0, hi = sizeof feedutil_tags / sizeof feedutil_tags[0];
	size_t	mid;
	int	c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strcmp(name, feedutil_tags[mid].name);
		if (c == 0)
			return feedutil_tags[mid].kind;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return FEEDUTIL_TAG_INLINE;
}

/* Writes what an element owes on entry; *pre counts open <pre>s. */
static void
feedutil_html_enter(struct feedutil_text *t, enum feedutil_tag kind, int *pre)
{
	switch (kind) {
	case FEEDUTIL_TAG_PARA:
		feedutil_text_break(t, FEEDUTIL_BREAK_PARA);
		break;
	case FEEDUTIL_TAG_PRE:
		feedutil_text_break(t, FEEDUTIL_BREAK_PARA);
		(*pre)++;
		break;
	case FEEDUTIL_TAG_LINE:
		feedutil_text_break(t, FEEDUTIL_BREAK_LINE);
		break;
	case FEEDUTIL_TAG_LI:
		feedutil_text_break(t, FEEDUTIL_BREAK_LINE);
		t->prefix = "- ";
		break;
	case FEEDUTIL_TAG_BR:
		/* A second <br> in a row makes a blank line. */
		feedutil_text_break(t, t->pending >= FEEDUTIL_BREAK_LINE ?
		    FEEDUTIL_BREAK_PARA : FEEDUTIL_BREAK_LINE);
		break;
	case FEEDUTIL_TAG_CELL:
		feedutil_text_break(t, FEEDUTIL_BREAK_SPACE);
		break;
	case FEEDUTIL_TAG_DROP:
	case FEEDUTIL_TAG_INLINE:
		break;
	}
}

/* Writes what an element owes on leaving it. */
static void
feedutil_html_leave(struct feedutil_text *t, enum feedutil_tag kind, int *pre)
{
	switch (kind) {
	case FEEDUTIL_TAG_PARA:
		feedutil_text_break(t, FEEDUTIL_BREAK_PARA);
		break;
	case FEEDUTIL_TAG_PRE:
		feedutil_text_break(t, FEEDUTIL_BREAK_PARA);
		(*pre)--;
		break;
	case FEEDUTIL_TAG_LI:
		t->prefix = NULL;
		/* FALLTHROUGH */
	case FEEDUTIL_TAG_LINE:
		feedutil_text_break(t, FEEDUTIL_BREAK_LINE);
		break;
	case FEEDUTIL_TAG_CELL:
		feedutil_text_break(t, FEEDUTIL_BREAK_SPACE);
		break;
	case FEEDUTIL_TAG_BR:
	case FEEDUTIL_TAG_DROP:
	case FEEDUTIL_TAG_INLINE:
		break;
	}
}

char *
feedutil_html_to_text(const char *s, size_t len, size_t max)
{
	struct feedutil_text	t;

	if (s == NULL || !feedutil_looks_like_html(s, len))
		return feedutil_text_clean_lines(s, len, max);
	feedutil_text_init(&t, max);
	if (feedutil_html_feed(&t, s, len) == -1) {
		feedutil_buf_free(&t.b);
		return NULL;
	}
	return feedutil_text_end(&t);
}

/*
 * Writes the text of the HTML fragment `s` (which looks like HTML) into
 * the fresh `t`, as feedutil_html_to_text() describes: by the quick
 * reader when it can, else by libxml2's HTML parser.  Returns 0, or -1
 * when out of memory.
 */
static int
feedutil_html_feed(struct feedutil_text *t, const char *s, size_t len)
{
	len = feedutil_utf8_cut(s, len, FEEDUTIL_HTML_MAX_INPUT);
	if (feedutil_html_quick(t, s, len) == 0)
		return 0;
	/* Start again, as if the quick reader had never been. */
	t->b.len = 0;
	if (t->b.data != NULL)
		t->b.data[0] = '\0';
	t->pending = FEEDUTIL_BREAK_NONE;
	t->prefix = NULL;
	t->full = 0;
	return feedutil_html_parse(t, s, len);
}

/*
 * Reads HTML into `t` with libxml2's HTML parser: any HTML at all, at
 * the cost of a parser and a tree for each fragment.  Returns 0, or -1
 * when out of memory.
 */
static int
feedutil_html_parse(struct feedutil_text *t, const char *s, size_t len)
{
	struct feedutil_buf	 fixed;
	htmlDocPtr		 doc = NULL;
	xmlNodePtr		 n, top;
	enum feedutil_tag	 kind;
	int			 pre = 0, descend, rc = -1;

	/* The HTML parser would read bad UTF-8 as Latin-1: mend it first. */
	feedutil_buf_init(&fixed);
	feedutil_utf8_mend(&fixed, s, len);
	if (fixed.failed || fixed.data == NULL)
		goto fail;

	doc = htmlReadMemory(fixed.data, (int)fixed.len, NULL, "UTF-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_RECOVER | HTML_PARSE_COMPACT);
	if (doc == NULL) {
		/* Nothing the parser could use: read it as plain text. */
		feedutil_text_feed(t, fixed.data, fixed.len, 1);
		rc = 0;
		goto fail;
	}

	/* Walk the tree without recursion: HTML can nest without limit. */
	top = (xmlNodePtr)doc;
	n = doc->children;
	while (n != NULL && !t->full) {
		descend = 0;
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content != NULL)
				feedutil_text_feed(t, (const char *)n->content,
				    strlen((const char *)n->content), pre > 0);
		} else if (n->type == XML_ELEMENT_NODE &&
		    (kind = feedutil_tag_kind((const char *)n->name)) !=
		    FEEDUTIL_TAG_DROP) {
			feedutil_html_enter(t, kind, &pre);
			descend = 1;
		}
		if (descend && n->children != NULL) {
			n = n->children;
			continue;
		}
		/* Leave this node and every ancestor it was the last of. */
		for (;;) {
			if (n->type == XML_ELEMENT_NODE &&
			    (kind = feedutil_tag_kind((const char *)n->name)) !=
			    FEEDUTIL_TAG_DROP)
				feedutil_html_leave(t, kind, &pre);
			if (n->next != NULL) {
				n = n->next;
				break;
			}
			n = n->parent;
			if (n == NULL || n == top) {
				n = NULL;
				break;
			}
		}
	}
	rc = 0;

fail:
	if (doc != NULL)
		xmlFreeDoc(doc);
	feedutil_buf_free(&fixed);
	return rc;
}

/* Appends `s` with each invalid UTF-8 sequence made U+FFFD. */
static void
feedutil_utf8_mend(struct feedutil_buf *b, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	const unsigned char	*end = p + len, *run = p;
	uint32_t		 cp;
	size_t			 k;

	while (p < end) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((k = feedutil_utf8_decode(p, (size_t)(end - p),
		    &cp)) != 0) {
			p += k;
			continue;
		}
		feedutil_buf_add(b, run, (size_t)(p - run));
		feedutil_buf_add_utf8(b, 0xfffd);
		p += feedutil_utf8_bad_len(p, (size_t)(end - p));
		run = p;
	}
	feedutil_buf_add(b, run, (size_t)(p - run));
}

/*
 * --- The quick reader of HTML ---
 *
 * Most HTML in feeds is a few paragraphs, lists, links and emphasis.
 * feedutil_html_quick() reads such HTML in one pass, without libxml2,
 * into exactly the text feedutil_html_parse() makes of it: it keeps the
 * element stack libxml2's HTML parser 2.9 would build (the implied
 * paragraph around leading text, the start tags that close open elements
 * as its htmlStartClose table says, empty elements, end tags of elements
 * that are not open ignored) for the elements of feedutil_quick_tags,
 * and feeds the same text and breaks in the same order.  Anything else
 * (another element, a comment, a stray '<', an end tag that would close
 * more than the innermost element, an unknown or unterminated reference,
 * a control character, bad UTF-8, deep nesting) makes it give up, and
 * the caller asks libxml2.
 */

/* The elements the quick reader knows, as feedutil_quick_tags indexes. */
enum {
	FEEDUTIL_Q_A, FEEDUTIL_Q_B, FEEDUTIL_Q_BLOCKQUOTE, FEEDUTIL_Q_BR,
	FEEDUTIL_Q_DIV, FEEDUTIL_Q_EM, FEEDUTIL_Q_H1, FEEDUTIL_Q_H2,
	FEEDUTIL_Q_H3, FEEDUTIL_Q_H4, FEEDUTIL_Q_H5, FEEDUTIL_Q_H6,
	FEEDUTIL_Q_HR, FEEDUTIL_Q_I, FEEDUTIL_Q_IMG, FEEDUTIL_Q_LI,
	FEEDUTIL_Q_OL, FEEDUTIL_Q_P, FEEDUTIL_Q_SMALL, FEEDUTIL_Q_SPAN,
	FEEDUTIL_Q_STRONG, FEEDUTIL_Q_SUB, FEEDUTIL_Q_SUP, FEEDUTIL_Q_U,
	FEEDUTIL_Q_UL
};

#define FEEDUTIL_QB(q)		(UINT32_C(1) << (q))
#define FEEDUTIL_QB_HEADINGS	(FEEDUTIL_QB(FEEDUTIL_Q_H1) | \
	FEEDUTIL_QB(FEEDUTIL_Q_H2) | FEEDUTIL_QB(FEEDUTIL_Q_H3) | \
	FEEDUTIL_QB(FEEDUTIL_Q_H4) | FEEDUTIL_QB(FEEDUTIL_Q_H5) | \
	FEEDUTIL_QB(FEEDUTIL_Q_H6))
#define FEEDUTIL_QUICK_DEPTH	64	/* deeper HTML goes to libxml2 */
#define FEEDUTIL_QUICK_NAME	10	/* longest name in the table */

/*
 * Each element (sorted by name, in the order of the enum above), whether
 * libxml2 makes it empty (closed as soon as it opens), and the elements
 * whose start tag closes it when it is the innermost one open: the rows
 * of libxml2 2.9's htmlStartClose between elements of this table.
 */
static const struct {
	const char		*name;
	int			 empty;
	uint32_t		 closed_by;
	enum feedutil_tag	 kind;	/* as feedutil_tag_kind() says */
} feedutil_quick_tags[] = {
	[FEEDUTIL_Q_A] = { "a", 0, FEEDUTIL_QB(FEEDUTIL_Q_A),
	    FEEDUTIL_TAG_INLINE },
	[FEEDUTIL_Q_B] = { "b", 0, FEEDUTIL_QB(FEEDUTIL_Q_P),
	    FEEDUTIL_TAG_INLINE },
	[FEEDUTIL_Q_BLOCKQUOTE] = { "blockquote", 0, 0, FEEDUTIL_TAG_PARA },
	[FEEDUTIL_Q_BR] = { "br", 1, 0, FEEDUTIL_TAG_BR },
	[FEEDUTIL_Q_DIV] = { "div", 0, 0, FEEDUTIL_TAG_LINE },
	[FEEDUTIL_Q_EM] = { "em", 0, 0, FEEDUTIL_TAG_INLINE },
	[FEEDUTIL_Q_H1] = { "h1", 0, FEEDUTIL_QB(FEEDUTIL_Q_LI) |
	    FEEDUTIL_QB(FEEDUTIL_Q_P), FEEDUTIL_TAG_PARA },
	[FEEDUTIL_Q_H2] = { "h2", 0, FEEDUTIL_QB(FEEDUTIL_Q_LI) |
	    FEEDUTIL_QB(FEEDUTIL_Q_P), FEEDUTIL_TAG_PARA },
	[FEEDUTIL_Q_H3] = { "h3", 0, FEEDUTIL_QB(FEEDUTIL_Q_LI) |
	    FEEDUTIL_QB(FEEDUTIL_Q_P), FEEDUTIL_TAG_PARA },
	[FEEDUTIL_Q_H4] = { "h4", 0, FEEDUTIL_QB(FEEDUTIL_Q_LI) |
	    FEEDUTIL_QB(FEEDUTIL_Q_P), FEEDUTIL_TAG_PARA },
	[FEEDUTIL_Q_H5] = { "h5", 0, FEEDUTIL_QB(FEEDUTIL_Q_LI) |
	    FEEDUTIL_QB(FEEDUTIL_Q_P), FEEDUTIL_TAG_PARA },
	[FEEDUTIL_Q_H6] = { "h6", 0, FEEDUTIL_QB(FEEDUTIL_Q_LI) |
	    FEEDUTIL_QB(FEEDUTIL_Q_P), FEEDUTIL_TAG_PARA },
	[FEEDUTIL_Q_HR] = { "hr", 1, 0, FEEDUTIL_TAG_PARA },
	[FEEDUTIL_Q_I] = { "i", 0, FEEDUTIL_QB(FEEDUTIL_Q_P),
	    FEEDUTIL_TAG_INLINE },
	[FEEDUTIL_Q_IMG] = { "img", 1, 0, FEEDUTIL_TAG_INLINE },
	[FEEDUTIL_Q_LI] = { "li", 0, FEEDUTIL_QB(FEEDUTIL_Q_LI),
	    FEEDUTIL_TAG_LI },
	[FEEDUTIL_Q_OL] = { "ol", 0, FEEDUTIL_QB(FEEDUTIL_Q_UL),
	    FEEDUTIL_TAG_PARA },
	[FEEDUTIL_Q_P] = { "p", 0, FEEDUTIL_QB(FEEDUTIL_Q_BLOCKQUOTE) |
	    FEEDUTIL_QB(FEEDUTIL_Q_DIV) | FEEDUTIL_QB_HEADINGS |
	    FEEDUTIL_QB(FEEDUTIL_Q_HR) | FEEDUTIL_QB(FEEDUTIL_Q_LI) |
	    FEEDUTIL_QB(FEEDUTIL_Q_OL) | FEEDUTIL_QB(FEEDUTIL_Q_P) |
	    FEEDUTIL_QB(FEEDUTIL_Q_UL), FEEDUTIL_TAG_PARA },
	[FEEDUTIL_Q_SMALL] = { "small", 0, FEEDUTIL_QB(FEEDUTIL_Q_P),
	    FEEDUTIL_TAG_INLINE },
	[FEEDUTIL_Q_SPAN] = { "span", 0, 0, FEEDUTIL_TAG_INLINE },
	[FEEDUTIL_Q_STRONG] = { "strong", 0, 0, FEEDUTIL_TAG_INLINE },
	[FEEDUTIL_Q_SUB] = { "sub", 0, 0, FEEDUTIL_TAG_INLINE },
	[FEEDUTIL_Q_SUP] = { "sup", 0, 0, FEEDUTIL_TAG_INLINE },
	[FEEDUTIL_Q_U] = { "u", 0, FEEDUTIL_QB(FEEDUTIL_Q_P),
	    FEEDUTIL_TAG_INLINE },
	[FEEDUTIL_Q_UL] = { "ul", 0, FEEDUTIL_QB(FEEDUTIL_Q_OL),
	    FEEDUTIL_TAG_PARA },
};

/* 1 for the blanks of HTML: space, tab, line feed, carriage return. */
static int
feedutil_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* 1 for an ASCII letter. */
static int
feedutil_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * 1 when the bytes hold nothing the quick reader leaves to libxml2:
 * they are valid UTF-8 without NUL or control characters (but tab, line
 * feed and carriage return), byte order marks or U+FFFE and U+FFFF.
 */
static int
feedutil_quick_bytes(const unsigned char *p, size_t len)
{
	const uint64_t		 high = UINT64_C(0x8080808080808080);
	const uint64_t		 ones = UINT64_C(0x0101010101010101);
	const unsigned char	*end = p + len;
	uint64_t		 w;
	uint32_t		 cp;
	size_t			 n;

	while (p < end) {
		if (end - p >= 8) {
			memcpy(&w, p, 8);
			/* No high bit, and no byte below 0x20. */
			if ((w & high) == 0 &&
			    ((w - 0x20 * ones) & ~w & high) == 0) {
				p += 8;
				continue;
			}
		}
		if (*p >= 0x20 && *p < 0x80) {
			p++;
			continue;
		}
		if (*p == '\t' || *p == '\n' || *p == '\r') {
			p++;
			continue;
		}
		if (*p < 0x20 || (n = feedutil_utf8_decode(p,
		    (size_t)(end - p), &cp)) == 0 ||
		    cp == 0xfeff || cp == 0xfffe || cp == 0xffff)
			return 0;
		p += n;
	}
	return 1;
}

/*
 * Reads an element name at *pp (a letter, then letters and digits) and
 * returns its index in feedutil_quick_tags, moving *pp past it, or -1
 * when it is not one of them or goes on with a character libxml2 would
 * take into a name.
 */
static int
feedutil_quick_tag(const unsigned char **pp, const unsigned char *end)
{
	const unsigned char	*p = *pp;
	char			 name[FEEDUTIL_QUICK_NAME + 1];
	size_t			 n = 0, lo, hi, mid;
	int			 c;

	if (p == end || !feedutil_alpha(*p))
		return -1;
	while (p < end && (feedutil_alpha(*p) || (*p >= '0' && *p <= '9'))) {
		if (n == FEEDUTIL_QUICK_NAME)
			return -1;
		name[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		p++;
	}
	if (p < end && (*p == ':' || *p == '-' || *p == '_' || *p == '.'))
		return -1;
	name[n] = '\0';
	lo = 0;
	hi = sizeof feedutil_quick_tags / sizeof feedutil_quick_tags[0];
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(name, feedutil_quick_tags[mid].name)) == 0) {
			*pp = p;
			return (int)mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/*
 * Reads a character or entity reference at *pp ('&' first) as libxml2's
 * HTML parser does, moving *pp past it.  Returns the character, or 0 to
 * give up: a reference the quick reader does not take.
 */
static uint32_t
feedutil_quick_ref(const unsigned char **pp, const unsigned char *end)
{
	const unsigned char	*p = *pp + 1, *name;
	uint32_t		 v = 0;
	int			 hex = 0, digits = 0;

	if (p < end && *p == ' ') {
		/* A lone '&' is itself. */
		*pp = p;
		return '&';
	}
	if (p < end && *p == '#') {
		p++;
		if (p < end && (*p == 'x' || *p == 'X')) {
			hex = 1;
			p++;
		}
		for (; p < end && digits < 7; p++, digits++) {
			if (*p >= '0' && *p <= '9')
				v = v * (hex ? 16 : 10) + (uint32_t)(*p - '0');
			else if (hex && feedutil_hex(*p))
				v = v * 16 + (uint32_t)((*p | 0x20) - 'a' + 10);
			else
				break;
		}
		if (digits == 0 || p == end || *p != ';' ||
		    !feedutil_xml_char_ok(v))
			return 0;
		*pp = p + 1;
		return v;
	}
	for (name = p; p < end && (feedutil_alpha(*p) ||
	    (*p >= '0' && *p <= '9')); p++)
		;
	if (p == name || p == end || *p != ';' || !feedutil_alpha(*name))
		return 0;
	/* libxml2 knows &apos; too; the table here is HTML 4's. */
	if (p - name == 4 && memcmp(name, "apos", 4) == 0)
		v = '\'';
	else
		v = feedutil_entity_lookup((const char *)name,
		    (size_t)(p - name));
	if (v != 0)
		*pp = p + 1;
	return v;
}

/* Opens the paragraph libxml2 implies around text outside any element. */
static void
feedutil_quick_para(struct feedutil_text *t, unsigned char *stack,
    size_t *depth, int *started, int *pre)
{
	if (*started)
		return;
	*started = 1;
	stack[(*depth)++] = FEEDUTIL_Q_P;
	feedutil_html_enter(t, FEEDUTIL_TAG_PARA, pre);
}

/*
 * Reads `len` bytes of simple HTML into `t` (see above).  Returns 0 when
 * it read them all, or -1 when the HTML is not simple and `t` holds
 * nothing of use.
 */
static int
feedutil_html_quick(struct feedutil_text *t, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	const unsigned char	*end = p + len, *q;
	unsigned char		 stack[FEEDUTIL_QUICK_DEPTH], quote;
	size_t			 depth = 0, i;
	uint32_t		 cp;
	int			 id, top, started = 0, self, pre = 0, blank;
	unsigned char		 u[4];

	if (!feedutil_quick_bytes(p, len))
		return -1;
	/* What comes before the first '<' or word is skipped. */
	while (p < end && feedutil_blank(*p))
		p++;
	while (p < end && !t->full) {
		if (*p == '&') {
			if ((cp = feedutil_quick_ref(&p, end)) == 0)
				return -1;
			feedutil_quick_para(t, stack, &depth, &started, &pre);
			i = feedutil_utf8_encode(cp, u);
			feedutil_text_feed(t, (const char *)u, i, 0);
			continue;
		}
		if (*p != '<') {
			for (q = p; q < end && *q != '<' && *q != '&'; q++)
				;
			for (i = 0, blank = !started; blank && p + i < q; i++)
				blank = feedutil_blank(p[i]);
			/*
			 * Blanks outside any element, before a tag or the
			 * end, have no node to go in: libxml2 drops them.
			 */
			if (!started && blank && (q == end || *q == '<')) {
				p = q;
				continue;
			}
			feedutil_quick_para(t, stack, &depth, &started, &pre);
			feedutil_text_feed(t, (const char *)p, (size_t)(q - p),
			    0);
			p = q;
			continue;
		}
		if (end - p >= 2 && p[1] == '/') {
			/* An end tag: of the innermost element, or of none. */
			q = p + 2;
			if ((id = feedutil_quick_tag(&q, end)) == -1)
				return -1;
			while (q < end && feedutil_blank(*q))
				q++;
			if (q == end || *q != '>')
				return -1;
			p = q + 1;
			if (depth > 0 && stack[depth - 1] == id) {
				feedutil_html_leave(t,
				    feedutil_quick_tags[id].kind, &pre);
				depth--;
				continue;
			}
			for (i = 0; i < depth; i++)
				if (stack[i] == id)
					return -1;
			continue;
		}
		q = p + 1;
		if ((id = feedutil_quick_tag(&q, end)) == -1)
			return -1;
		/* Its attributes, skipped: names, and quoted values. */
		self = 0;
		for (;;) {
			while (q < end && feedutil_blank(*q))
				q++;
			if (q == end)
				return -1;
			if (*q == '>') {
				q++;
				break;
			}
			if (*q == '/' && end - q >= 2 && q[1] == '>') {
				q += 2;
				self = 1;
				break;
			}
			if (!feedutil_alpha(*q))
				return -1;
			while (q < end && (feedutil_alpha(*q) ||
			    (*q >= '0' && *q <= '9') || *q == ':' ||
			    *q == '-' || *q == '_' || *q == '.'))
				q++;
			while (q < end && feedutil_blank(*q))
				q++;
			if (q == end || *q != '=')
				continue;
			q++;
			while (q < end && feedutil_blank(*q))
				q++;
			if (q == end || (*q != '"' && *q != '\''))
				return -1;
			quote = *q++;
			while (q < end && *q != quote)
				q++;
			if (q == end)
				return -1;
			q++;
		}
		p = q;
		/* The start tag closes what htmlStartClose says it does. */
		while (depth > 0 && (feedutil_quick_tags[top =
		    stack[depth - 1]].closed_by & FEEDUTIL_QB(id))) {
			feedutil_html_leave(t, feedutil_quick_tags[top].kind,
			    &pre);
			depth--;
		}
		if (depth == FEEDUTIL_QUICK_DEPTH)
			return -1;
		started = 1;
		stack[depth++] = (unsigned char)id;
		feedutil_html_enter(t, feedutil_quick_tags[id].kind, &pre);
		if (self || feedutil_quick_tags[id].empty) {
			feedutil_html_leave(t, feedutil_quick_tags[id].kind,
			    &pre);
			depth--;
		}
	}
	/* At the end every element still open is closed, innermost first. */
	while (depth > 0) {
		depth--;
		feedutil_html_leave(t, feedutil_quick_tags[stack[depth]].kind,
		    &pre);
	}
	return 0;
}

int
feedutil_looks_like_html(const char *s, size_t len)
{
	size_t	i, j;
	char	c;

	for (i = 0; i + 1 < len; i++) {
		if (s[i] == '<') {
			c = s[i + 1];
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    c == '/' || c == '!')
				return 1;
		} else if (s[i] == '&') {
			j = i + 1;
			if (s[j] == '#')
				j++;
			while (j < len && j - i <= FEEDUTIL_ENTITY_NAME_MAX &&
			    ((s[j] >= 'a' && s[j] <= 'z') ||
			    (s[j] >= 'A' && s[j] <= 'Z') ||
			    (s[j] >= '0' && s[j] <= '9')))
				j++;
			if (j < len && s[j] == ';' && j > i + 1 &&
			    s[j - 1] != '#')
				return 1;
		}
	}
	return 0;
}

/* --- dates --- */

static int
feedutil_days_in_month(int year, int mon)
{
	static const int days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int	leap;

	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return days[mon - 1] + (mon == 2 && leap);
}

/* Reads `min` to `max` digits at *pp.  Returns 0, or -1. */
static int
feedutil_digits(const char **pp, int min, int max, int *out)
{
	const char	*p = *pp;
	int		 n = 0, v = 0;

	while (n < max && *p >= '0' && *p <= '9') {
		v = v * 10 + (*p - '0');
		p++;
		n++;
	}
	if (n < min)
		return -1;
	*pp = p;
	*out = v;
	return 0;
}

/* Reads a word of ASCII letters, lower-cased.  Returns its length. */
static int
feedutil_word(const char **pp, char *w, size_t wlen)
{
	const char	*p = *pp;
	size_t		 n = 0;

	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
		if (n + 1 >= wlen)
			return 0;
		w[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		p++;
	}
	w[n] = '\0';
	*pp = p;
	return (int)n;
}

/* The month (1-12) an English name or its abbreviation means, or 0. */
static int
feedutil_month(const char *w)
{
	static const char *const full[] = {
		"january", "february", "march", "april", "may", "june",
		"july", "august", "september", "october", "november",
		"december"
	};
	int	i;

	for (i = 0; i < 12; i++) {
		if (strcmp(w, feedutil_months[i]) == 0 ||
		    strcmp(w, full[i]) == 0)
			return i + 1;
	}
	return strcmp(w, "sept") == 0 ? 9 : 0;
}

/*
 * Reads a zone at *pp: a numeric offset (+hhmm, +hh:mm, +hh), a name or a
 * military letter.  Stores minutes east of UTC.  Returns 0, or -1.
 */
static int
feedutil_zone(const char **pp, int *offset)
{
	const char	*p = *pp;
	char		 w[8];
	int		 sign, h, m = 0;
	size_t		 i;

	if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		p++;
		if (feedutil_digits(&p, 2, 2, &h) == -1)
			return -1;
		if (*p == ':')
			p++;
		if (*p >= '0' && *p <= '9' &&
		    feedutil_digits(&p, 2, 2, &m) == -1)
			return -1;
		if (h > 23 || m > 59)
			return -1;
		*offset = sign * (h * 60 + m);
		*pp = p;
		return 0;
	}
	if (feedutil_word(&p, w, sizeof w) == 0)
		return -1;
	for (i = 0; i < sizeof feedutil_zones / sizeof feedutil_zones[0]; i++) {
		if (strcasecmp(w, feedutil_zones[i].name) == 0) {
			*offset = feedutil_zones[i].offset;
			*pp = p;
			return 0;
		}
	}
	/*
	 * Military letters, with the signs they have in military use: RFC
	 * 822's table had them reversed (RFC 1123, 5.2.14).
	 */
	if (w[1] != '\0' || w[0] == 'j')
		return -1;
	if (w[0] >= 'a' && w[0] <= 'i')
		*offset = (w[0] - 'a' + 1) * 60;
	else if (w[0] >= 'k' && w[0] <= 'm')
		*offset = (w[0] - 'k' + 10) * 60;
	else if (w[0] >= 'n' && w[0] <= 'y')
		*offset = -(w[0] - 'n' + 1) * 60;
	else
		*offset = 0;
	*pp = p;
	return 0;
}

/*
 * Reads W3C-DTF/ISO 8601 into f[] = year, month, day, hour, minute,
 * second.  *kind: 0 date only, 1 local time, 2 time with offset.
 */
static int
feedutil_date_iso(const char *p, int *f, int *kind, int *offset)
{
	int	frac;

	*kind = 0;
	if (feedutil_digits(&p, 4, 4, &f[0]) == -1)
		return -1;
	f[1] = f[2] = 1;
	if (*p == '-') {
		p++;
		if (feedutil_digits(&p, 2, 2, &f[1]) == -1)
			return -1;
		if (*p == '-') {
			p++;
			if (feedutil_digits(&p, 2, 2, &f[2]) == -1)
				return -1;
		} else
			return *p == '\0' ? 0 : -1;
	} else
		return *p == '\0' ? 0 : -1;
	if (*p == '\0')
		return 0;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (feedutil_digits(&p, 2, 2, &f[3]) == -1 || *p++ != ':' ||
	    feedutil_digits(&p, 2, 2, &f[4]) == -1)
		return -1;
	if (*p == ':') {
		p++;
		if (feedutil_digits(&p, 2, 2, &f[5]) == -1)
			return -1;
		if (*p == '.' || *p == ',') {
			p++;
			if (feedutil_digits(&p, 1, 9, &frac) == -1)
				return -1;
			while (*p >= '0' && *p <= '9')
				p++;
		}
	}
	*kind = 1;
	while (*p == ' ')
		p++;
	if (*p == '\0')
		return 0;
	if (feedutil_zone(&p, offset) == -1)
		return -1;
	*kind = 2;
	return *p == '\0' ? 0 : -1;
}

/* Reads RFC 822 syntax into f[], as feedutil_date_iso() does. */
static int
feedutil_date_rfc822(const char *p, int *f, int *kind, int *offset)
{
	const char	*q;
	char		 w[16];
	size_t		 i;
	int		 n;

	*kind = 0;
	q = p;
	if (feedutil_word(&q, w, sizeof w) > 0) {
		/* A weekday, which says nothing the date does not. */
		for (i = 0; i < 7; i++)
			if (strncmp(w, feedutil_days[i], 3) == 0)
				break;
		if (i == 7)
			return -1;
		p = q;
		while (*p == ',' || *p == ' ')
			p++;
	}
	if (feedutil_digits(&p, 1, 2, &f[2]) == -1)
		return -1;
	if (*p != ' ' && *p != '-')
		return -1;
	while (*p == ' ' || *p == '-')
		p++;
	if (feedutil_word(&p, w, sizeof w) == 0 ||
	    (f[1] = feedutil_month(w)) == 0)
		return -1;
	if (*p == '.')
		p++;
	if (*p != ' ' && *p != '-')
		return -1;
	while (*p == ' ' || *p == '-')
		p++;
	q = p;
	if (feedutil_digits(&p, 2, 4, &f[0]) == -1)
		return -1;
	n = (int)(p - q);
	if (n == 2)
		f[0] += f[0] < 50 ? 2000 : 1900;	/* RFC 2822, 4.3 */
	else if (n == 3)
		f[0] += 1900;
	while (*p == ' ' || *p == ',')
		p++;
	if (*p == '\0')
		return 0;
	if (feedutil_digits(&p, 1, 2, &f[3]) == -1 || *p++ != ':' ||
	    feedutil_digits(&p, 2, 2, &f[4]) == -1)
		return -1;
	if (*p == ':') {
		p++;
		if (feedutil_digits(&p, 2, 2, &f[5]) == -1)
			return -1;
	}
	*kind = 1;
	while (*p == ' ')
		p++;
	if (*p == '\0')
		return 0;
	if (feedutil_zone(&p, offset) == -1)
		return -1;
	*kind = 2;
	while (*p == ' ')
		p++;
	if (*p == '(') {
		/* A comment naming the zone: "+0000 (GMT)". */
		while (*p != '\0' && *p != ')')
			p++;
		if (*p++ != ')')
			return -1;
		while (*p == ' ')
			p++;
	}
	return *p == '\0' ? 0 : -1;
}

int
feedutil_date_parse(const char *s, size_t len, char *out, size_t outlen)
{
	char	 tmp[96];
	int	 f[6] = { 0, 0, 0, 0, 0, 0 }, kind = 0, offset = 0, r, n;
	size_t	 i;

	if (outlen > 0)
		out[0] = '\0';
	if (s == NULL || outlen < FEEDUTIL_DATE_MAX)
		return -1;
	while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\r' ||
	    *s == '\n')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	if (len == 0 || len >= sizeof tmp)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] == '\0')
			return -1;
		/* Runs of white space inside count as one space. */
		tmp[i] = s[i] == '\t' || s[i] == '\r' || s[i] == '\n' ?
		    ' ' : s[i];
	}
	tmp[len] = '\0';

	if (len >= 4 && tmp[0] >= '0' && tmp[0] <= '9' && tmp[1] >= '0' &&
	    tmp[1] <= '9' && tmp[2] >= '0' && tmp[2] <= '9' &&
	    tmp[3] >= '0' && tmp[3] <= '9')
		r = feedutil_date_iso(tmp, f, &kind, &offset);
	else
		r = feedutil_date_rfc822(tmp, f, &kind, &offset);
	if (r == -1)
		return -1;

	if (f[0] < 1000 || f[0] > 9999 || f[1] < 1 || f[1] > 12 ||
	    f[2] < 1 || f[2] > feedutil_days_in_month(f[0], f[1]) ||
	    f[3] > 23 || f[4] > 59 || f[5] > 59)
		return -1;

	/*
	 * Written by hand, not by snprintf(): every field was range-checked
	 * above, so each has its fixed width, and at most 25 bytes are
	 * written into the FEEDUTIL_DATE_MAX that outlen was checked for.
	 */
	n = 0;
	feedutil_put_digits(out, &n, f[0], 4);
	out[n++] = '-';
	feedutil_put_digits(out, &n, f[1], 2);
	out[n++] = '-';
	feedutil_put_digits(out, &n, f[2], 2);
	if (kind > 0) {
		out[n++] = 'T';
		feedutil_put_digits(out, &n, f[3], 2);
		out[n++] = ':';
		feedutil_put_digits(out, &n, f[4], 2);
		out[n++] = ':';
		feedutil_put_digits(out, &n, f[5], 2);
	}
	if (kind > 1) {
		out[n++] = offset < 0 ? '-' : '+';
		feedutil_put_digits(out, &n, abs(offset) / 60, 2);
		out[n++] = ':';
		feedutil_put_digits(out, &n, abs(offset) % 60, 2);
	}
	out[n] = '\0';
	return 0;
}

/* Writes `v` (0 to 10^width - 1) as `width` digits at out[*n]. */
static void
feedutil_put_digits(char *out, int *n, int v, int width)
{
	int	i;

	for (i = width - 1; i >= 0; i--) {
		out[*n + i] = (char)('0' + v % 10);
		v /= 10;
	}
	*n += width;
}

/* --- links and numbers --- */

char *
feedutil_url_resolve(const char *ref, const char *base)
{
	static const char *const schemes[] = { "http", "https", "mailto",
	    "tel" };
	struct feedutil_buf	 b;
	xmlChar			*built = NULL;
	xmlURIPtr		 uri = NULL;
	const char		*end;
	char			*out = NULL;
	size_t			 i;

	if (ref == NULL)
		return NULL;
	while (*ref == ' ' || *ref == '\t' || *ref == '\r' || *ref == '\n')
		ref++;
	end = ref + strlen(ref);
	while (end > ref && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r' || end[-1] == '\n'))
		end--;
	if (end == ref || end - ref > FEEDUTIL_MAX_FIELD)
		return NULL;
	/* An absolute link libxml2 would hand back as it is, copied. */
	if (feedutil_url_plain(ref, (size_t)(end - ref))) {
		if ((out = malloc((size_t)(end - ref) + 1)) != NULL) {
			memcpy(out, ref, (size_t)(end - ref));
			out[end - ref] = '\0';
		}
		return out;
	}

	/* Spaces inside a link are a common slip; libxml2 refuses them. */
	feedutil_buf_init(&b);
	for (; ref < end; ref++) {
		if (*ref == ' ')
			feedutil_buf_add(&b, "%20", 3);
		else if ((unsigned char)*ref < 0x20 || *ref == 0x7f)
			continue;
		else
			feedutil_buf_addc(&b, *ref);
	}
	if (b.failed || b.data == NULL)
		goto fail;

	if ((built = xmlBuildURI((const xmlChar *)b.data,
	    (const xmlChar *)base)) == NULL)
		goto fail;
	if ((uri = xmlParseURI((const char *)built)) == NULL ||
	    uri->scheme == NULL)
		goto fail;
	for (i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		if (strcasecmp(uri->scheme, schemes[i]) == 0)
			break;
	if (i == sizeof schemes / sizeof schemes[0])
		goto fail;
	if (i < 2 && (uri->server == NULL || *uri->server == '\0'))
		goto fail;
	out = strdup((const char *)built);

fail:
	if (uri != NULL)
		xmlFreeURI(uri);
	if (built != NULL)
		xmlFree(built);
	feedutil_buf_free(&b);
	return out;
}

/* 1 for an ASCII hexadecimal digit. */
static int
feedutil_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* 1 for a byte RFC 3986 allows in a path segment unescaped (a pchar). */
static int
feedutil_url_pchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~' || c == '!' || c == '$' || c == '&' || c == '\'' ||
	    c == '(' || c == ')' || c == '*' || c == '+' || c == ',' ||
	    c == ';' || c == '=' || c == ':' || c == '@';
}

/*
 * 1 when the `len` bytes at `s` are an absolute http or https URL that
 * libxml2's RFC 3986 parser reads whole with a host, so that resolving
 * it gives it back unchanged: a lower-case scheme, a host of letters,
 * digits, dots and hyphens, perhaps a port, then only path, query and
 * fragment characters (percent escapes whole).  0 means only "let
 * libxml2 decide", never "not a link".
 */
static int
feedutil_url_plain(const char *s, size_t len)
{
	const char	*p = s, *end = s + len, *host;
	int		 part = 0;	/* 0 path, 1 query, 2 fragment */

	if (len > 7 && memcmp(p, "http://", 7) == 0)
		p += 7;
	else if (len > 8 && memcmp(p, "https://", 8) == 0)
		p += 8;
	else
		return 0;
	for (host = p; p < end && ((*p >= 'a' && *p <= 'z') ||
	    (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
	    *p == '.' || *p == '-'); p++)
		;
	if (p == host)
		return 0;
	if (p < end && *p == ':') {
		for (host = ++p; p < end && *p >= '0' && *p <= '9'; p++)
			;
		if (p == host || p - host > 5)
			return 0;
	}
	if (p < end && *p != '/' && *p != '?' && *p != '#')
		return 0;
	for (; p < end; p++) {
		if (*p == '%') {
			if (end - p < 3 || !feedutil_hex(p[1]) ||
			    !feedutil_hex(p[2]))
				return 0;
			p += 2;
		} else if (*p == '?' && part == 0)
			part = 1;
		else if (*p == '#' && part < 2)
			part = 2;
		else if (!feedutil_url_pchar(*p) && *p != '/' &&
		    (part == 0 || *p != '?'))
			return 0;
	}
	return 1;
}

int
feedutil_decimal_parse(const char *s, size_t len, double *out)
{
	double	v = 0, scale = 1;
	size_t	i = 0, digits = 0;
	int	neg = 0;

	if (len > 0 && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i++;
	}
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++)
		v = v * 10 + (s[i] - '0');
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			scale /= 10;
			v += (s[i] - '0') * scale;
			digits++;
		}
	}
	if (digits == 0 || i != len)
		return -1;
	*out = neg ? -v : v;
	return 0;
}

/* 1 for an ASCII letter or digit; the letter upper-cased in *up. */
static int
feedutil_pc_char(int c, char *up)
{
	if (c >= 'a' && c <= 'z')
		c -= 'a' - 'A';
	*up = (char)c;
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/*
 * 1 when the `n` upper-case letters and digits at `c` are a whole UK
 * postcode without its space: an outward code (A9, A99, A9A, AA9, AA99
 * or AA9A, with the letters Royal Mail allows in each place) and an
 * inward code (a digit and two letters, neither C, I, K, M, O nor V),
 * or GIR 0AA.
 */
static int
feedutil_postcode_shape(const char *c, size_t n)
{
	size_t	out = n - 3;

	if (n < 5 || n > 7)
		return 0;
	if (n == 6 && memcmp(c, "GIR0AA", 6) == 0)
		return 1;
	/* The inward code. */
	if (!(c[out] >= '0' && c[out] <= '9') ||
	    !(c[out + 1] >= 'A' && c[out + 1] <= 'Z') ||
	    !(c[out + 2] >= 'A' && c[out + 2] <= 'Z') ||
	    strchr("CIKMOV", c[out + 1]) != NULL ||
	    strchr("CIKMOV", c[out + 2]) != NULL)
		return 0;
	/* The area: one letter, or two with an allowed second. */
	if (!(c[0] >= 'A' && c[0] <= 'Z') || strchr("QVX", c[0]) != NULL)
		return 0;
	if (c[1] >= '0' && c[1] <= '9') {
		/* A9, A99, A9A */
		return out == 2 || (out == 3 && ((c[2] >= '0' && c[2] <= '9') ||
		    strchr("ABCDEFGHJKPSTUW", c[2]) != NULL));
	}
	/* AA9, AA99, AA9A */
	if (out < 3 || !(c[1] >= 'A' && c[1] <= 'Z') ||
	    strchr("IJZ", c[1]) != NULL || !(c[2] >= '0' && c[2] <= '9'))
		return 0;
	return out == 3 || (c[3] >= '0' && c[3] <= '9') ||
	    strchr("ABEHMNPRVWXY", c[3]) != NULL;
}

int
feedutil_postcode_tail(const char *s, size_t len, size_t *start,
    size_t *pclen)
{
	const char	*end = s + len, *p;
	char		 c[8];
	size_t		 n = 0, k;

	while (end > s && (end[-1] == ' ' || end[-1] == '.'))
		end--;
	/* Back over the inward code, a space perhaps, the outward code. */
	for (p = end; p > s && n < 7 && feedutil_pc_char(p[-1], &c[0]); p--)
		if (++n == 3 && p - 1 > s && p[-2] == ' ')
			p--;
	if (n < 5 || (p > s && p[-1] != ' ' && p[-1] != ','))
		return 0;
	/* The letters and digits, upper-cased, without the space. */
	for (k = 0, n = 0; p + k < end; k++)
		if (p[k] != ' ')
			feedutil_pc_char(p[k], &c[n++]);
	if (!feedutil_postcode_shape(c, n))
		return 0;
	*start = (size_t)(p - s);
	*pclen = (size_t)(end - p);
	return 1;
}

int
feedutil_content_type_is(const char *ct, const char *type)
{
	size_t	n = strlen(type);

	if (ct == NULL)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, type, n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

/* --- repairs before parsing --- */

/* 1 when the bytes start as UTF-16 or UCS-4 (by mark or by "<?"). */
static int
feedutil_is_utf16(const unsigned char *d, size_t len)
{
	if (len < 2)
		return 0;
	if ((d[0] == 0xfe && d[1] == 0xff) || (d[0] == 0xff && d[1] == 0xfe))
		return 1;
	if (len < 4)
		return 0;
	/* Without a mark: "<" and the next character, each two bytes. */
	return (d[0] == 0 && d[1] == '<' && d[2] == 0 && d[3] != 0) ||
	    (d[0] == '<' && d[1] == 0 && d[2] != 0 && d[3] == 0) ||
	    (d[0] == 0 && d[1] == 0 && (d[2] == 0 || d[2] == 0xfe));
}

/* 1 when the document is UTF-8 by its mark, its declaration, or silence. */
static int
feedutil_declares_utf8(const unsigned char *d, size_t len)
{
	static const char *const utf8[] = { "utf-8", "utf8", "us-ascii",
	    "ascii" };
	const char	*p = (const char *)d;
	size_t		 end, i, n, k;
	char		 q;

	if (len >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf)
		return 1;
	if (len < 5 || memcmp(p, "<?xml", 5) != 0)
		return 1;
	for (end = 5; end + 1 < len && end < 512; end++)
		if (p[end] == '?' && p[end + 1] == '>')
			break;
	i = feedutil_find(p, end, 5, "encoding");
	if (i == SIZE_MAX)
		return 1;
	i += 8;
	while (i < end && (p[i] == ' ' || p[i] == '=' || p[i] == '\t' ||
	    p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i >= end || (p[i] != '"' && p[i] != '\''))
		return 1;
	q = p[i++];
	for (n = 0; i + n < end && p[i + n] != q; n++)
		;
	for (k = 0; k < sizeof utf8 / sizeof utf8[0]; k++)
		if (strlen(utf8[k]) == n && strncasecmp(p + i, utf8[k], n) == 0)
			return 1;
	return 0;
}

/* Counts one repair of a kind, keeping the name ("&nbsp;") if it fits. */
static void
feedutil_fix_note(struct feedutil_fix *f, unsigned long line,
    const char *name, size_t namelen)
{
	char		 ref[FEEDUTIL_ENTITY_NAME_MAX + 4];
	const char	*s;
	size_t		 have, n;

	if (f->count++ == 0)
		f->line = line;
	if (name == NULL || namelen > FEEDUTIL_ENTITY_NAME_MAX)
		return;
	n = (size_t)snprintf(ref, sizeof ref, "&%.*s;", (int)namelen, name);
	have = strlen(f->names);
	/* Each name once: look for it between separators. */
	for (s = f->names; (s = strstr(s, ref)) != NULL; s++)
		if ((s == f->names || s[-1] == ' ') &&
		    (s[n] == '\0' || s[n] == ' '))
			return;
	if (have + n + 2 > sizeof f->names) {
		f->more = 1;
		return;
	}
	if (have > 0)
		f->names[have++] = ' ';
	memcpy(f->names + have, ref, n + 1);
}

/* What a byte in 0x80-0x9F means in Windows-1252 (0 for nothing). */
static uint32_t
feedutil_cp1252(unsigned int c)
{
	if (c >= 0x80 && c <= 0x9f)
		return feedutil_cp1252_c1[c - 0x80];
	return c;
}

/*
 * 1 when feedutil_xml_sanitize() would give the bytes back as they are,
 * having filled `rep` as it would (zeroed, `skipped` for UTF-16 or UCS-4,
 * which it never changes).  8 bytes of printable ASCII are checked at a
 * time.
 */
static int
feedutil_xml_sound(const unsigned char *d, size_t len,
    struct feedutil_repairs *rep)
{
	const uint64_t	 high = UINT64_C(0x8080808080808080);
	const uint64_t	 ones = UINT64_C(0x0101010101010101);
	uint64_t	 w;
	uint32_t	 cp;
	size_t		 i = 0, n;
	int		 utf8;

	memset(rep, 0, sizeof *rep);
	if (feedutil_is_utf16(d, len)) {
		rep->skipped = 1;
		return 1;
	}
	utf8 = feedutil_declares_utf8(d, len);
	while (i < len) {
		if (len - i >= 8) {
			memcpy(&w, d + i, 8);
			/* No high bit, and no byte below 0x20. */
			if ((w & high) == 0 &&
			    ((w - 0x20 * ones) & ~w & high) == 0) {
				i += 8;
				continue;
			}
		}
		if (d[i] >= 0x20 && d[i] < 0x80) {
			i++;
			continue;
		}
		if (d[i] == '\n' || d[i] == '\t' || d[i] == '\r') {
			i++;
			continue;
		}
		if (d[i] < 0x20)
			return 0;
		if (!utf8) {
			i++;
			continue;
		}
		if ((n = feedutil_utf8_decode(d + i, len - i, &cp)) == 0 ||
		    cp == 0xfffe || cp == 0xffff)
			return 0;
		i += n;
	}
	return 1;
}

char *
feedutil_xml_sanitize(const unsigned char *data, size_t len, size_t *outlen,
    struct feedutil_repairs *rep)
{
	struct feedutil_buf	 b;
	unsigned long		 line = 1;
	size_t			 i, n, run, bad = 0, multi = 0;
	uint32_t		 cp = 0;
	int			 utf8, cp1252 = 0;

	memset(rep, 0, sizeof *rep);
	feedutil_buf_init(&b);
	if (feedutil_is_utf16(data, len)) {
		rep->skipped = 1;
		feedutil_buf_add(&b, data, len);
		return feedutil_buf_finish(&b, outlen);
	}
	if ((utf8 = feedutil_declares_utf8(data, len))) {
		for (i = 0; i < len; i += n) {
			if ((n = feedutil_utf8_decode(data + i, len - i,
			    &cp)) == 0) {
				n = 1;
				bad++;
			} else if (n > 1)
				multi++;
		}
		cp1252 = bad > 0 && multi == 0;
		rep->cp1252 = cp1252;
	}

	for (i = 0, run = 0; i < len; i += n) {
		n = 1;
		if (data[i] >= 0x20 && data[i] < 0x80)
			continue;
		if (data[i] == '\n') {
			line++;
			continue;
		}
		if (data[i] == '\t' || data[i] == '\r')
			continue;
		if (data[i] >= 0x80 && !utf8)
			continue;
		if (data[i] >= 0x80 && !cp1252 &&
		    (n = feedutil_utf8_decode(data + i, len - i, &cp)) != 0 &&
		    cp != 0xfffe && cp != 0xffff)
			continue;
		/* Something to mend: copy what was fine up to here. */
		feedutil_buf_add(&b, data + run, i - run);
		if (data[i] < 0x20) {
			n = 1;
			feedutil_fix_note(&rep->controls, line, NULL, 0);
		} else if (cp1252) {
			n = 1;
			if ((cp = feedutil_cp1252(data[i])) == 0) {
				cp = 0xfffd;
				feedutil_fix_note(&rep->utf8, line, NULL, 0);
			}
			feedutil_buf_add_utf8(&b, cp);
		} else {
			if (n == 0)
				n = feedutil_utf8_bad_len(data + i, len - i);
			feedutil_buf_add_utf8(&b, 0xfffd);
			feedutil_fix_note(&rep->utf8, line, NULL, 0);
		}
		run = i + n;
	}
	feedutil_buf_add(&b, data + run, len - run);
	return feedutil_buf_finish(&b, outlen);
}

/* 1 when XML 1.0 allows the character `cp` in a document. */
static int
feedutil_xml_char_ok(uint32_t cp)
{
	return cp == 0x9 || cp == 0xa || cp == 0xd ||
	    (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
	    (cp >= 0x10000 && cp <= 0x10ffff);
}

/* Where `needle` starts in data[from, len), or SIZE_MAX. */
static size_t
feedutil_find(const char *data, size_t len, size_t from, const char *needle)
{
	size_t	n = strlen(needle), i;

	for (i = from; n <= len && i <= len - n; i++)
		if (data[i] == needle[0] && memcmp(data + i, needle, n) == 0)
			return i;
	return SIZE_MAX;
}

/* 1 for a byte that may start (or, with `more`, continue) an entity name. */
static int
feedutil_name_char(int c, int more)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == ':')
		return 1;
	return more && ((c >= '0' && c <= '9') || c == '.' || c == '-');
}

/*
 * Finds the end of the DOCTYPE starting at `i`, past its internal subset,
 * noting in `decl` (one "name\n" each; may be NULL) the general entities
 * it declares.
 */
static size_t
feedutil_doctype_end(const char *d, size_t len, size_t i,
    struct feedutil_buf *decl)
{
	size_t	j, k, start;
	int	subset = 0;
	char	q;

	for (j = i + 9; j < len; j++) {
		if (d[j] == '"' || d[j] == '\'') {
			q = d[j];
			while (++j < len && d[j] != q)
				;
			if (j == len)
				return len;
		} else if (subset && len - j >= 4 &&
		    memcmp(d + j, "<!--", 4) == 0) {
			if ((k = feedutil_find(d, len, j + 4, "-->")) ==
			    SIZE_MAX)
				return len;
			j = k + 2;
		} else if (subset && len - j >= 8 &&
		    memcmp(d + j, "<!ENTITY", 8) == 0) {
			k = j + 8;
			while (k < len && (d[k] == ' ' || d[k] == '\t' ||
			    d[k] == '\r' || d[k] == '\n'))
				k++;
			start = k;
			while (k < len && feedutil_name_char(d[k], k > start))
				k++;
			if (decl != NULL && k > start &&
			    decl->len < FEEDUTIL_DECL_MAX) {
				feedutil_buf_add(decl, d + start, k - start);
				feedutil_buf_addc(decl, '\n');
			}
			j = k - 1;
		} else if (d[j] == '[')
			subset = 1;
		else if (d[j] == ']')
			subset = 0;
		else if (d[j] == '>' && !subset)
			return j + 1;
	}
	return len;
}

/* 1 when the internal subset declared the entity `name`. */
static int
feedutil_declared(const struct feedutil_buf *decl, const char *name,
    size_t len)
{
	const char	*p = decl->data, *nl;

	if (p == NULL)
		return 0;
	while ((nl = strchr(p, '\n')) != NULL) {
		if ((size_t)(nl - p) == len && memcmp(p, name, len) == 0)
			return 1;
		p = nl + 1;
	}
	return 0;
}

uint32_t
feedutil_entity_lookup(const char *name, size_t len)
{
	size_t	lo = 0, hi = sizeof feedutil_entities /
		    sizeof feedutil_entities[0], mid, n;
	int	c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		n = strlen(feedutil_entities[mid].name);
		c = memcmp(name, feedutil_entities[mid].name, len < n ? len : n);
		if (c == 0)
			c = len < n ? -1 : len > n;
		if (c == 0)
			return feedutil_entities[mid].cp;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

/*
 * Rewrites the reference starting with the '&' at `i` into `b` and
 * returns where reading goes on.
 */
static size_t
feedutil_entity_ref(const char *d, size_t len, size_t i, unsigned long line,
    const struct feedutil_buf *decl, struct feedutil_buf *b,
    struct feedutil_repairs *rep)
{
	static const char *const xml[] = { "amp", "lt", "gt", "quot",
	    "apos" };
	char		 num[16];
	uint32_t	 cp = 0;
	size_t		 j = i + 1, start, k;
	int		 hex = 0, digits = 0;

	if (j < len && d[j] == '#') {
		j++;
		if (j < len && (d[j] == 'x' || d[j] == 'X')) {
			hex = 1;
			j++;
		}
		for (; j < len && digits < 8; j++, digits++) {
			if (d[j] >= '0' && d[j] <= '9')
				cp = cp * (hex ? 16 : 10) + (uint32_t)(d[j] - '0');
			else if (hex && d[j] >= 'a' && d[j] <= 'f')
				cp = cp * 16 + (uint32_t)(d[j] - 'a' + 10);
			else if (hex && d[j] >= 'A' && d[j] <= 'F')
				cp = cp * 16 + (uint32_t)(d[j] - 'A' + 10);
			else
				break;
		}
		if (digits == 0 || j >= len || d[j] != ';')
			goto bare;
		if (cp >= 0x80 && cp <= 0x9f) {
			cp = feedutil_cp1252(cp);
			feedutil_fix_note(&rep->charrefs, line, NULL, 0);
			if (cp == 0)
				return j + 1;
		} else if (!feedutil_xml_char_ok(cp)) {
			feedutil_fix_note(&rep->controls, line, NULL, 0);
			return j + 1;
		} else if (d[i + 2] != 'X') {
			feedutil_buf_add(b, d + i, j + 1 - i);
			return j + 1;
		}
		snprintf(num, sizeof num, "&#%u;", (unsigned)cp);
		feedutil_buf_adds(b, num);
		return j + 1;
	}

	start = j;
	while (j < len && j - start < FEEDUTIL_ENTITY_NAME_MAX &&
	    feedutil_name_char(d[j], j > start))
		j++;
	if (j == start || j >= len || d[j] != ';')
		goto bare;
	for (k = 0; k < sizeof xml / sizeof xml[0]; k++) {
		if (strlen(xml[k]) == j - start &&
		    memcmp(d + start, xml[k], j - start) == 0) {
			feedutil_buf_add(b, d + i, j + 1 - i);
			return j + 1;
		}
	}
	if (feedutil_declared(decl, d + start, j - start)) {
		feedutil_buf_add(b, d + i, j + 1 - i);
		return j + 1;
	}
	if ((cp = feedutil_entity_lookup(d + start, j - start)) != 0) {
		snprintf(num, sizeof num, "&#%u;", (unsigned)cp);
		feedutil_buf_adds(b, num);
		feedutil_fix_note(&rep->html_entities, line, d + start,
		    j - start);
		return j + 1;
	}
	feedutil_buf_add(b, "&amp;", 5);
	feedutil_buf_add(b, d + start, j + 1 - start);
	feedutil_fix_note(&rep->unknown_entities, line, d + start, j - start);
	return j + 1;

bare:
	feedutil_buf_add(b, "&amp;", 5);
	feedutil_fix_note(&rep->bare_amps, line, NULL, 0);
	return i + 1;
}

/*
 * 1 when feedutil_entities_fix() would give the document back as it is:
 * every '&' in it starts one of XML's five entities or a character
 * reference XML takes as it is.  (It may say 0 for a document the fix
 * leaves alone, an '&' in a comment say; never 1 for one it changes.)
 */
static int
feedutil_entities_sound(const char *d, size_t len)
{
	static const struct {
		const char	*ref;
		size_t		 len;
	} xml[] = {
		{ "amp;", 4 }, { "lt;", 3 }, { "gt;", 3 }, { "quot;", 5 },
		{ "apos;", 5 },
	};
	const char	*p = d, *end = d + len, *q;
	uint32_t	 v;
	size_t		 k;
	int		 hex, digits;

	while ((p = memchr(p, '&', (size_t)(end - p))) != NULL) {
		q = p + 1;
		if (q < end && *q == '#') {
			q++;
			hex = q < end && *q == 'x';
			q += hex;
			for (v = 0, digits = 0; q < end && digits < 7;
			    q++, digits++) {
				if (*q >= '0' && *q <= '9')
					v = v * (hex ? 16 : 10) +
					    (uint32_t)(*q - '0');
				else if (hex && feedutil_hex(*q))
					v = v * 16 + (uint32_t)((*q | 0x20) -
					    'a' + 10);
				else
					break;
			}
			if (digits == 0 || q == end || *q != ';' ||
			    (v >= 0x80 && v <= 0x9f) ||
			    !feedutil_xml_char_ok(v))
				return 0;
			p = q + 1;
			continue;
		}
		for (k = 0; k < sizeof xml / sizeof xml[0]; k++)
			if ((size_t)(end - q) >= xml[k].len &&
			    memcmp(q, xml[k].ref, xml[k].len) == 0)
				break;
		if (k == sizeof xml / sizeof xml[0])
			return 0;
		p = q + xml[k].len;
	}
	return 1;
}

char *
feedutil_entities_fix(const char *d, size_t len, size_t *outlen,
    struct feedutil_repairs *rep)
{
	static const struct {
		const char	*open;
		const char	*close;
	} skip[] = {
		{ "<!--", "-->" },
		{ "<![CDATA[", "]]>" },
		{ "<?", "?>" },
	};
	struct feedutil_buf	 b, decl;
	unsigned long		 line = 1;
	size_t			 i = 0, run = 0, end, k, n;

	feedutil_buf_init(&b);
	feedutil_buf_init(&decl);
	while (i < len) {
		if (d[i] == '\n') {
			line++;
			i++;
			continue;
		}
		if (d[i] == '&') {
			feedutil_buf_add(&b, d + run, i - run);
			i = run = feedutil_entity_ref(d, len, i, line, &decl,
			    &b, rep);
			continue;
		}
		if (d[i] != '<') {
			i++;
			continue;
		}
		/* Comments, CDATA, PIs and the DOCTYPE are copied as they are. */
		end = 0;
		for (k = 0; k < sizeof skip / sizeof skip[0]; k++) {
			n = strlen(skip[k].open);
			if (len - i >= n && memcmp(d + i, skip[k].open, n) == 0) {
				end = feedutil_find(d, len, i + n,
				    skip[k].close);
				end = end == SIZE_MAX ? len :
				    end + strlen(skip[k].close);
				break;
			}
		}
		if (end == 0 && len - i >= 9 && memcmp(d + i, "<!DOCTYPE", 9) == 0)
			end = feedutil_doctype_end(d, len, i, &decl);
		if (end == 0) {
			i++;
			continue;
		}
		for (; i < end; i++)
			if (d[i] == '\n')
				line++;
	}
	feedutil_buf_add(&b, d + run, len - run);
	feedutil_buf_free(&decl);
	return feedutil_buf_finish(&b, outlen);
}

/* --- sniffing --- */

/*
 * Skips what may come before the root element from `i`.  Returns where
 * the root's '<' is; *state is 1 then, 0 when the bytes ran out first,
 * -1 when something that is not XML came.
 */
static size_t
feedutil_skip_prolog(const unsigned char *d, size_t len, size_t i,
    int *state)
{
	const char	*s = (const char *)d;
	size_t		 k;

	for (;;) {
		while (i < len && (d[i] == ' ' || d[i] == '\t' ||
		    d[i] == '\r' || d[i] == '\n'))
			i++;
		if (i >= len) {
			*state = 0;
			return i;
		}
		if (d[i] != '<' || i + 1 >= len) {
			*state = d[i] == '<' ? 0 : -1;
			return i;
		}
		if (d[i + 1] == '?') {
			if ((k = feedutil_find(s, len, i + 2, "?>")) != SIZE_MAX)
				k += 2;
		} else if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
			if ((k = feedutil_find(s, len, i + 4, "-->")) != SIZE_MAX)
				k += 3;
		} else if (len - i >= 9 && strncasecmp(s + i, "<!DOCTYPE", 9) == 0) {
			k = feedutil_doctype_end(s, len, i, NULL);
			if (k >= len) {
				*state = 0;
				return len;
			}
			i = k;
			continue;
		} else if (d[i + 1] == '!') {
			*state = -1;
			return i;
		} else {
			*state = 1;
			return i;
		}
		if (k == SIZE_MAX) {
			*state = 0;
			return len;
		}
		i = k;
	}
}

/*
 * Finds the root start tag for sniffing: narrows UTF-16 to its ASCII
 * (into `narrow`, updating *data and *len), skips a byte order mark and
 * the prolog, and sets *at to the root's '<'.  Returns 1, 0 when the
 * bytes end first, or -1 when they are not XML.
 */
static int
feedutil_root_tag(const unsigned char **datap, size_t *lenp,
    unsigned char *narrow, size_t narrowlen, size_t *at)
{
	const unsigned char	*data = *datap;
	size_t			 len = *lenp, i = 0, n, k, lo;
	int			 state;

	if (feedutil_is_utf16(data, len)) {
		if (data[0] == 0 && data[1] == 0)
			return 0;		/* UCS-4: XML, but no more */
		/*
		 * Keep each 16-bit unit that is ASCII, which is all a root
		 * element's name needs; `lo` is where its low byte is.
		 */
		lo = data[0] == 0xfe || data[0] == 0 ? 1 : 0;
		k = data[0] == 0xfe || data[0] == 0xff ? 2 : 0;
		for (n = 0; k + 1 < len && n < narrowlen; k += 2)
			narrow[n++] = data[k + 1 - lo] == 0 ?
			    data[k + lo] : '?';
		*datap = data = narrow;
		*lenp = len = n;
	}
	if (len >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf)
		i = 3;
	for (k = i; k < len && (data[k] == ' ' || data[k] == '\t' ||
	    data[k] == '\r' || data[k] == '\n'); k++)
		;
	if (k == len)
		return -1;
	i = feedutil_skip_prolog(data, len, i, &state);
	*at = i;
	return state;
}

int
feedutil_xml_root(const unsigned char *data, size_t len, char *name,
    size_t namelen)
{
	unsigned char	 narrow[8192];
	size_t		 i, n;
	int		 state;

	if (namelen > 0)
		name[0] = '\0';
	if ((state = feedutil_root_tag(&data, &len, narrow, sizeof narrow,
	    &i)) != 1)
		return state;
	i++;
	if (!feedutil_name_char(data[i], 0) && data[i] < 0x80)
		return -1;
	for (n = 0; i < len && (feedutil_name_char(data[i], 1) ||
	    data[i] >= 0x80); i++) {
		if (n + 1 < namelen)
			name[n++] = (char)data[i];
	}
	if (i == len)
		return 0;
	if (namelen > 0)
		name[n] = '\0';
	return 1;
}

int
feedutil_xml_root_xmlns(const unsigned char *data, size_t len,
    const char *prefix, const char *uri)
{
	unsigned char	 narrow[8192];
	const char	*s, *name, *value;
	size_t		 i, namelen, valuelen, plen;
	char		 q;

	if (data == NULL || uri == NULL ||
	    feedutil_root_tag(&data, &len, narrow, sizeof narrow, &i) != 1)
		return 0;
	s = (const char *)data;
	/* Past the element's own name, then one attribute at a time. */
	for (i++; i < len && (feedutil_name_char(data[i], 1) ||
	    data[i] >= 0x80); i++)
		;
	for (;;) {
		while (i < len && (s[i] == ' ' || s[i] == '\t' ||
		    s[i] == '\r' || s[i] == '\n'))
			i++;
		if (i >= len || !feedutil_name_char(data[i], 0))
			return 0;		/* '>', "/>", junk or the end */
		name = s + i;
		for (; i < len && feedutil_name_char(data[i], 1); i++)
			;
		namelen = (size_t)(s + i - name);
		while (i < len && (s[i] == ' ' || s[i] == '\t' ||
		    s[i] == '\r' || s[i] == '\n'))
			i++;
		if (i >= len || s[i++] != '=')
			return 0;
		while (i < len && (s[i] == ' ' || s[i] == '\t' ||
		    s[i] == '\r' || s[i] == '\n'))
			i++;
		if (i >= len || (s[i] != '"' && s[i] != '\''))
			return 0;
		q = s[i++];
		value = s + i;
		for (; i < len && s[i] != q; i++)
			;
		if (i >= len)
			return 0;
		valuelen = (size_t)(s + i - value);
		i++;
		if (namelen < 5 || strncmp(name, "xmlns", 5) != 0 ||
		    (namelen > 5 && name[5] != ':'))
			continue;
		if (prefix != NULL) {
			plen = strlen(prefix);
			if (plen == 0 ? namelen != 5 : namelen != 6 + plen ||
			    strncmp(name + 6, prefix, plen) != 0)
				continue;
		}
		if (valuelen == strlen(uri) &&
		    memcmp(value, uri, valuelen) == 0)
			return 1;
	}
}

/* --- reading an XML feed --- */

/*
 * Security of the XML parse, decided once for every module that reads
 * XML through feedutil_xml_open():
 *   - External entities and external DTDs are never fetched or read:
 *     libxml2 is called without XML_PARSE_NOENT, XML_PARSE_DTDLOAD,
 *     XML_PARSE_DTDATTR and XML_PARSE_DTDVALID, and with
 *     XML_PARSE_NONET.  A reference to an external entity is left out of
 *     the text with a warning, so <!ENTITY x SYSTEM "file:///etc/passwd">
 *     leaks nothing.
 *   - Internal entities a document declares are expanded, because real
 *     feeds use them for harmless text, but only by the text walker here,
 *     with a per-document budget and a nesting cap.  libxml2's entity
 *     loop and amplification checks still run; when they fire (a "billion
 *     laughs" document) the feed is refused with an error.
 *   - XML_PARSE_HUGE is never used, so libxml2 keeps its own limits on
 *     names and text; element nesting is bounded by the input's
 *     max_depth (at most FEEDUTIL_MAX_DEPTH) from a start-element hook
 *     that stops the parser at once.
 *   - Before parsing, control bytes are removed, bad UTF-8 is mended and
 *     HTML entities XML does not know are made numeric, each with one
 *     warning saying what was repaired.
 *   - XML_PARSE_RECOVER reads what it can of a broken feed; when it had
 *     to, a warning says so.  A feed that ends before its root element
 *     closes is refused: its missing items would otherwise read as
 *     deleted.
 */

/* Keeps the first error libxml2 reports, and notes entity loops. */
static void
feedutil_xml_error_cb(void *ctx, xmlErrorPtr e)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	struct feedutil_xml	*x;
	size_t			 n;

	if (ctxt == NULL || (x = ctxt->_private) == NULL || e == NULL ||
	    e->level < XML_ERR_ERROR)
		return;
	if (e->code == XML_ERR_ENTITY_LOOP)
		x->entity_loop = 1;
	if (x->nerrors++ > 0 || e->message == NULL)
		return;
	x->first_line = e->line > 0 ? (unsigned long)e->line : 0;
	snprintf(x->first_msg, sizeof x->first_msg, "%s", e->message);
	n = strlen(x->first_msg);
	while (n > 0 && (x->first_msg[n - 1] == '\n' ||
	    x->first_msg[n - 1] == ' '))
		x->first_msg[--n] = '\0';
}

/* Builds the tree as usual, but stops the parser past the depth cap. */
static void
feedutil_xml_start_cb(void *ctx, const xmlChar *localname,
    const xmlChar *prefix, const xmlChar *uri, int nb_namespaces,
    const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
    const xmlChar **attributes)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	struct feedutil_xml	*x = ctxt->_private;

	int			 i;

	xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces,
	    namespaces, nb_attributes, nb_defaulted, attributes);
	/* An xml:base anywhere means links need their ancestors read. */
	for (i = 0; x != NULL && !x->has_base && i < nb_attributes; i++)
		if (attributes[i * 5 + 2] != NULL &&
		    xmlStrEqual(attributes[i * 5], (const xmlChar *)"base") &&
		    xmlStrEqual(attributes[i * 5 + 2], XML_XML_NAMESPACE))
			x->has_base = 1;
	if (x != NULL && ctxt->nameNr >= 0 &&
	    (size_t)ctxt->nameNr >= x->max_depth && !x->too_deep) {
		x->too_deep = 1;
		x->too_deep_line = (unsigned long)xmlSAX2GetLineNumber(ctx);
		xmlStopParser(ctxt);
	}
}

/*
 * Marks an element whose end tag the parser read, so that an item cut
 * short (a truncated download) can be told from a whole one.
 */
static void
feedutil_xml_end_cb(void *ctx, const xmlChar *localname,
    const xmlChar *prefix, const xmlChar *uri)
{
	xmlParserCtxtPtr	 ctxt = ctx;

	if (ctxt->node != NULL && ctxt->_private != NULL)
		ctxt->node->_private = ctxt->_private;
	xmlSAX2EndElementNs(ctx, localname, prefix, uri);
}

/*
 * Parses repaired bytes into x->doc.  Returns DAYHUB_OK when there is a
 * root element, or DAYHUB_ERROR after the host's error().
 */
static int
feedutil_xml_parse(struct feedutil_xml *x, const char *data, size_t len)
{
	xmlParserCtxtPtr	 ctxt;
	xmlStructuredErrorFunc	 old_fn;
	void			*old_ctx;

	if ((ctxt = xmlCreateMemoryParserCtxt(data, (int)len)) == NULL) {
		x->oom = 1;
		return DAYHUB_ERROR;
	}
	/* No NOENT, no DTDLOAD/DTDATTR/DTDVALID, never HUGE: see above. */
	xmlCtxtUseOptions(ctxt, XML_PARSE_RECOVER | XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES |
	    XML_PARSE_COMPACT);
	ctxt->_private = x;
	ctxt->sax->serror = feedutil_xml_error_cb;
	ctxt->sax->startElementNs = feedutil_xml_start_cb;
	ctxt->sax->endElementNs = feedutil_xml_end_cb;
	/*
	 * Encoding and I/O errors bypass the context's handler and would go
	 * to stderr; libxml2 keeps this handler per thread, so borrow it for
	 * the parse and give it back.
	 */
	old_fn = xmlStructuredError;
	old_ctx = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(ctxt, feedutil_xml_error_cb);
	xmlParseDocument(ctxt);
	xmlSetStructuredErrorFunc(old_ctx, old_fn);
	x->doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	x->wellformed = ctxt->wellFormed;
	xmlFreeParserCtxt(ctxt);

	if (x->too_deep)
		return feedutil_xml_fail(x, "elements are nested more than %zu "
		    "deep (line %lu)", x->max_depth, x->too_deep_line);
	if (x->entity_loop)
		/* libxml2 counts lines inside the entity here: no line. */
		return feedutil_xml_fail(x, "refused: the feed's entity "
		    "declarations expand without bound (an entity bomb)");
	if (x->doc == NULL || xmlDocGetRootElement(x->doc) == NULL) {
		if (x->first_msg[0] != '\0' && x->first_line > 0)
			return feedutil_xml_fail(x, "not XML: %s (line %lu)",
			    x->first_msg, x->first_line);
		if (x->first_msg[0] != '\0')
			return feedutil_xml_fail(x, "not XML: %s",
			    x->first_msg);
		return feedutil_xml_fail(x, "not XML: no root element");
	}
	return DAYHUB_OK;
}

int
feedutil_xml_open(struct feedutil_xml **xp, const struct dayhub_input *in,
    const struct dayhub_host *host, void *sink, const char *const *core)
{
	struct feedutil_xml	*x;
	char			*clean = NULL, *fixed = NULL;
	const char		*data;
	size_t			 cleanlen, fixedlen;
	int			 rc = DAYHUB_ERROR;

	*xp = NULL;
	if (host == NULL || host->size < sizeof *host || host->begin == NULL ||
	    host->set == NULL || host->end == NULL || host->feed == NULL ||
	    host->warn == NULL || host->error == NULL)
		return DAYHUB_ERROR;
	if (in == NULL || in->size < sizeof *in) {
		host->error(sink, "the host passed an input this module "
		    "cannot read (ABI mismatch)");
		return DAYHUB_ERROR;
	}
	if (in->len == 0 || in->data == NULL) {
		host->error(sink, "not XML: the feed is empty");
		return DAYHUB_ERROR;
	}
	if ((x = calloc(1, sizeof *x)) == NULL) {
		host->error(sink, "out of memory while reading the feed");
		return DAYHUB_ERROR;
	}
	x->in = in;
	x->host = host;
	x->sink = sink;
	x->core = core;
	x->max_depth = in->max_depth == 0 ||
	    in->max_depth > FEEDUTIL_MAX_DEPTH ? FEEDUTIL_MAX_DEPTH :
	    in->max_depth;

	/*
	 * Most feeds need no repair: they are checked first, and parsed
	 * straight from the input when nothing would change.
	 */
	if (feedutil_xml_sound(in->data, in->len, &x->rep) &&
	    (x->rep.skipped || feedutil_entities_sound((const char *)in->data,
	    in->len))) {
		data = (const char *)in->data;
		fixedlen = in->len;
	} else {
		if ((clean = feedutil_xml_sanitize(in->data, in->len,
		    &cleanlen, &x->rep)) == NULL) {
			x->oom = 1;
			goto fail;
		}
		if (x->rep.skipped) {
			fixed = clean;
			fixedlen = cleanlen;
			clean = NULL;
		} else if ((fixed = feedutil_entities_fix(clean, cleanlen,
		    &fixedlen, &x->rep)) == NULL) {
			x->oom = 1;
			goto fail;
		}
		free(clean);
		clean = NULL;
		data = fixed;
	}
	if (fixedlen > INT_MAX) {
		feedutil_xml_fail(x, "the feed is too large to read (%zu "
		    "bytes)", in->len);
		goto fail;
	}
	if (feedutil_xml_parse(x, data, fixedlen) == DAYHUB_OK) {
		*xp = x;
		x = NULL;
		rc = DAYHUB_OK;
	}
fail:
	free(clean);
	free(fixed);
	if (x != NULL)
		rc = feedutil_xml_close(x, DAYHUB_ERROR);
	return rc;
}

int
feedutil_xml_whole(struct feedutil_xml *x)
{
	const struct feedutil_repairs	*r = &x->rep;
	const struct dayhub_host	*h = x->host;
	void				*s = x->sink;
	xmlNodePtr			 root = xmlDocGetRootElement(x->doc);
	char				 qname[64];

	/*
	 * A feed that stops before its root closes was cut short (a partial
	 * upload, a full disk): what is missing would read as deleted, so
	 * it is refused whole and the spoke keeps its listings.
	 */
	if (root->_private != x)
		return feedutil_xml_fail(x, "the feed is not whole: its XML "
		    "breaks off before </%s> (%s, line %lu), so it was not "
		    "used", feedutil_xml_qname(root, qname, sizeof qname),
		    x->first_msg[0] != '\0' ? x->first_msg : "no detail",
		    x->first_line);
	if (!x->wellformed)
		h->warn(s, x->first_line, "the feed is not well-formed XML "
		    "(%s); read what could be recovered",
		    x->first_msg[0] != '\0' ? x->first_msg : "no detail");

	if (r->controls.count > 0)
		h->warn(s, r->controls.line, "removed %zu control characters "
		    "or NUL bytes that XML does not allow", r->controls.count);
	if (r->cp1252)
		h->warn(s, 0, "the feed is not UTF-8 although it says so or "
		    "says nothing; read it as Windows-1252");
	if (r->utf8.count > 0)
		h->warn(s, r->utf8.line, "replaced %zu invalid UTF-8 "
		    "sequences with U+FFFD", r->utf8.count);
	if (r->html_entities.count > 0)
		h->warn(s, r->html_entities.line, "decoded %zu HTML entities "
		    "that XML does not define: %s%s", r->html_entities.count,
		    r->html_entities.names,
		    r->html_entities.more ? " ..." : "");
	if (r->unknown_entities.count > 0)
		h->warn(s, r->unknown_entities.line, "kept %zu unknown "
		    "entities as text: %s%s", r->unknown_entities.count,
		    r->unknown_entities.names,
		    r->unknown_entities.more ? " ..." : "");
	if (r->bare_amps.count > 0)
		h->warn(s, r->bare_amps.line, "escaped %zu '&' characters "
		    "that began no entity", r->bare_amps.count);
	if (r->charrefs.count > 0)
		h->warn(s, r->charrefs.line, "read %zu character references "
		    "in the range &#128;-&#159; as Windows-1252",
		    r->charrefs.count);
	return DAYHUB_OK;
}

int
feedutil_xml_close(struct feedutil_xml *x, int rc)
{
	if (x == NULL)
		return rc;
	if (x->oom) {
		if (!x->said)
			x->host->error(x->sink, "out of memory while reading "
			    "the feed");
		rc = DAYHUB_ERROR;
	}
	feedutil_item_clear(x);
	feedutil_buf_free(&x->arena);
	feedutil_buf_free(&x->scratch[0]);
	feedutil_buf_free(&x->scratch[1]);
	if (x->doc != NULL)
		xmlFreeDoc(x->doc);
	free(x->fallback);
	free(x);
	return rc;
}

int
feedutil_xml_fail(struct feedutil_xml *x, const char *fmt, ...)
{
	va_list	ap;
	char	msg[FEEDUTIL_ERROR_MAX + 256];

	if (x->said)
		return DAYHUB_ERROR;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	x->host->error(x->sink, "%s", msg);
	x->said = 1;
	return DAYHUB_ERROR;
}

void
feedutil_xml_warn(struct feedutil_xml *x, xmlNodePtr n, const char *fmt, ...)
{
	va_list	ap;
	char	msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	x->host->warn(x->sink, n != NULL ? feedutil_xml_line(n) : 0, "%s",
	    msg);
}

void
feedutil_xml_feed(struct feedutil_xml *x, const char *key, const char *value)
{
	x->host->feed(x->sink, key, value, strlen(value));
}

void
feedutil_xml_release(struct feedutil_xml *x, xmlNodePtr n)
{
	/*
	 * What is remembered of its names and namespaces may now point at
	 * freed memory, but is never wrong: no node is made after the
	 * parse, so no node left can have a name or namespace there.
	 */
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

xmlNodePtr
feedutil_xml_root_element(const struct feedutil_xml *x)
{
	return xmlDocGetRootElement(x->doc);
}

int
feedutil_xml_complete(const struct feedutil_xml *x, xmlNodePtr n)
{
	return n->_private == (const void *)x;
}

void
feedutil_xml_core(struct feedutil_xml *x, const xmlChar *uri)
{
	x->core_extra = uri;
	/* What was remembered may now be wrong. */
	memset(x->nsmemo, 0, sizeof x->nsmemo);
	memset(x->rowmemo, 0, sizeof x->rowmemo);
}

enum feedutil_ns
feedutil_xml_ns(struct feedutil_xml *x, xmlNodePtr n)
{
	const char *const	*c;
	enum feedutil_ns	 v = FEEDUTIL_NS_OTHER;
	size_t			 i;

	if (n->ns == NULL || n->ns->href == NULL)
		return FEEDUTIL_NS_CORE;
	for (i = 0; i < FEEDUTIL_NS_MEMO; i++)
		if (x->nsmemo[i].ns == n->ns)
			return x->nsmemo[i].v;
	for (c = x->core; c != NULL && *c != NULL; c++)
		if (xmlStrEqual(n->ns->href, (const xmlChar *)*c))
			v = FEEDUTIL_NS_CORE;
	if (v != FEEDUTIL_NS_CORE && x->core_extra != NULL &&
	    xmlStrEqual(n->ns->href, x->core_extra))
		v = FEEDUTIL_NS_CORE;
	for (i = 0; v != FEEDUTIL_NS_CORE && i < sizeof feedutil_namespaces /
	    sizeof feedutil_namespaces[0]; i++)
		if (xmlStrEqual(n->ns->href,
		    (const xmlChar *)feedutil_namespaces[i].uri)) {
			v = feedutil_namespaces[i].ns;
			break;
		}
	x->nsmemo[x->nsnext].ns = n->ns;
	x->nsmemo[x->nsnext].v = v;
	x->nsnext = (x->nsnext + 1) % FEEDUTIL_NS_MEMO;
	return v;
}

int
feedutil_xml_is(struct feedutil_xml *x, xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    feedutil_xml_ns(x, n) == FEEDUTIL_NS_CORE &&
	    xmlStrEqual(n->name, (const xmlChar *)name);
}

const char *
feedutil_xml_qname(xmlNodePtr n, char *buf, size_t len)
{
	if (n->ns != NULL && n->ns->prefix != NULL)
		snprintf(buf, len, "%s:%s", (const char *)n->ns->prefix,
		    (const char *)n->name);
	else
		snprintf(buf, len, "%s", (const char *)n->name);
	return buf;
}

unsigned long
feedutil_xml_line(xmlNodePtr n)
{
	long	line;

	/* Text in an attribute has no line: its element has. */
	for (; n != NULL; n = n->parent) {
		if (n->type == XML_ATTRIBUTE_NODE)
			continue;
		if ((line = xmlGetLineNo(n)) > 0)
			return (unsigned long)line;
		if (n->type == XML_ELEMENT_NODE)
			break;
	}
	return 0;
}

void
feedutil_xml_nomem(struct feedutil_xml *x)
{
	x->oom = 1;
}

int
feedutil_xml_failed(const struct feedutil_xml *x)
{
	return x->oom;
}

char *
feedutil_xml_gather(struct feedutil_xml *x, xmlNodePtr n,
    enum feedutil_gather how)
{
	struct feedutil_buf	 b;
	xmlNodePtr		 c;
	char			*s;

	feedutil_buf_init(&b);
	for (c = n->children; how == FEEDUTIL_GATHER_AUTO && c != NULL;
	    c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			break;
	if (how == FEEDUTIL_GATHER_MARKUP ||
	    (how == FEEDUTIL_GATHER_AUTO && c != NULL))
		feedutil_gather_markup(x, n->children, &b);
	else
		feedutil_gather_text(x, n->children, &b, 0);
	if ((s = feedutil_buf_finish(&b, NULL)) == NULL)
		x->oom = 1;
	return s;
}

char *
feedutil_xml_attr(struct feedutil_xml *x, xmlNodePtr n, const char *name,
    const char *ns)
{
	struct feedutil_buf	 b;
	xmlAttrPtr		 a;
	char			*s;

	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return NULL;
	for (a = n->properties; a != NULL; a = a->next) {
		if (!xmlStrEqual(a->name, (const xmlChar *)name))
			continue;
		if (ns == NULL ? a->ns == NULL : a->ns != NULL &&
		    xmlStrEqual(a->ns->href, (const xmlChar *)ns))
			break;
	}
	if (a == NULL)
		return NULL;
	feedutil_buf_init(&b);
	feedutil_gather_text(x, a->children, &b, 0);
	if ((s = feedutil_buf_finish(&b, NULL)) == NULL)
		x->oom = 1;
	return s;
}

/* Appends the text of a list of nodes, entities expanded within budget. */
static void
feedutil_gather_text(struct feedutil_xml *x, xmlNodePtr n,
    struct feedutil_buf *b, int edepth)
{
	for (; n != NULL && b->len < FEEDUTIL_MAX_GATHER; n = n->next) {
		switch (n->type) {
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (n->content != NULL)
				feedutil_buf_adds(b, (const char *)n->content);
			break;
		case XML_ELEMENT_NODE:
			feedutil_gather_text(x, n->children, b, edepth);
			break;
		case XML_ENTITY_REF_NODE:
			feedutil_gather_entity(x, n, b, edepth);
			break;
		default:
			break;
		}
	}
}

/* Appends a list of nodes as markup: text escaped, elements serialized. */
static void
feedutil_gather_markup(struct feedutil_xml *x, xmlNodePtr n,
    struct feedutil_buf *b)
{
	struct feedutil_buf	 t;
	xmlBufferPtr		 xb;
	const char		*s;

	for (; n != NULL && b->len < FEEDUTIL_MAX_GATHER; n = n->next) {
		switch (n->type) {
		case XML_CDATA_SECTION_NODE:
			if (n->content != NULL)
				feedutil_buf_adds(b, (const char *)n->content);
			break;
		case XML_TEXT_NODE:
		case XML_ENTITY_REF_NODE:
			feedutil_buf_init(&t);
			if (n->type == XML_ENTITY_REF_NODE)
				feedutil_gather_entity(x, n, &t, 0);
			s = n->type == XML_TEXT_NODE ?
			    (const char *)n->content : t.data;
			for (; s != NULL && *s != '\0'; s++) {
				if (*s == '&')
					feedutil_buf_adds(b, "&amp;");
				else if (*s == '<')
					feedutil_buf_adds(b, "&lt;");
				else if (*s == '>')
					feedutil_buf_adds(b, "&gt;");
				else
					feedutil_buf_addc(b, *s);
			}
			if (t.failed)
				b->failed = 1;
			feedutil_buf_free(&t);
			break;
		case XML_ELEMENT_NODE:
			if ((xb = xmlBufferCreate()) == NULL) {
				b->failed = 1;
				return;
			}
			if (xmlNodeDump(xb, x->doc, n, 0, 0) > 0)
				feedutil_buf_add(b, xmlBufferContent(xb),
				    (size_t)xmlBufferLength(xb));
			xmlBufferFree(xb);
			break;
		default:
			break;
		}
	}
}

/*
 * Appends what an entity reference stands for: an internal entity's text
 * within the document's budget and nesting cap; an external one never.
 */
static void
feedutil_gather_entity(struct feedutil_xml *x, xmlNodePtr n,
    struct feedutil_buf *b, int edepth)
{
	xmlEntityPtr	 ent;
	size_t		 before;

	if ((ent = xmlGetDocEntity(x->doc, n->name)) == NULL)
		return;
	if (ent->etype != XML_INTERNAL_GENERAL_ENTITY) {
		if (!x->external_warned++)
			x->host->warn(x->sink, feedutil_xml_line(n),
			    "left out the external entity &%.*s;, which is "
			    "never read", FEEDUTIL_QUOTE,
			    (const char *)n->name);
		return;
	}
	if (edepth >= FEEDUTIL_MAX_ENTITY_DEPTH ||
	    x->expanded >= FEEDUTIL_MAX_EXPANSION) {
		if (!x->expand_warned++)
			x->host->warn(x->sink, feedutil_xml_line(n),
			    "stopped expanding entities: nested too deep or "
			    "too much text");
		return;
	}
	before = b->len;
	feedutil_gather_text(x, ent->children, b, edepth + 1);
	x->expanded += b->len - before;
}

char *
feedutil_xml_text(struct feedutil_xml *x, const char *raw, size_t max)
{
	const char	*t;
	char		*v;
	size_t		 len;

	if ((t = feedutil_plain(x, NULL, raw, strlen(raw), max, &len)) == NULL)
		return NULL;
	if ((v = malloc(len + 1)) == NULL) {
		x->oom = 1;
		return NULL;
	}
	memcpy(v, t, len);
	v[len] = '\0';
	return v;
}

/*
 * The base URL in force at `n`: its xml:base attributes and those of its
 * ancestors, resolved in turn from the feed's own URL.  *found is set
 * when there was any xml:base at all.
 */
static char *
feedutil_xml_base(struct feedutil_xml *x, xmlNodePtr n, int *found)
{
	char	*xb, *outer, *r;

	if (n == NULL || n->type != XML_ELEMENT_NODE) {
		*found = 0;
		if (x->in->base_url == NULL)
			return NULL;
		if ((r = strdup(x->in->base_url)) == NULL)
			x->oom = 1;
		return r;
	}
	outer = feedutil_xml_base(x, n->parent, found);
	if ((xb = feedutil_xml_attr(x, n, "base",
	    (const char *)XML_XML_NAMESPACE)) == NULL)
		return outer;
	*found = 1;
	r = feedutil_url_resolve(xb, outer);
	free(xb);
	if (r == NULL)
		return outer;
	free(outer);
	return r;
}

void
feedutil_xml_set_base(struct feedutil_xml *x, const char *url)
{
	free(x->fallback);
	x->fallback = NULL;
	if (url != NULL && (x->fallback = strdup(url)) == NULL)
		x->oom = 1;
}

char *
feedutil_xml_link(struct feedutil_xml *x, xmlNodePtr n, const char *raw,
    int warn)
{
	char	*t, *base = NULL, *r;
	char	 qname[64];
	int	 found = 0;

	if ((t = feedutil_text_clean(raw, strlen(raw), FEEDUTIL_MAX_FIELD)) ==
	    NULL) {
		x->oom = 1;
		return NULL;
	}
	if (*t == '\0') {
		free(t);
		return NULL;
	}
	/* Without an xml:base anywhere, no ancestor need be asked. */
	if (!x->has_base)
		r = feedutil_url_resolve(t, x->fallback != NULL ?
		    x->fallback : x->in->base_url);
	else {
		base = feedutil_xml_base(x, n, &found);
		r = feedutil_url_resolve(t, found || x->fallback == NULL ?
		    base : x->fallback);
	}
	if (r != NULL && strlen(r) > FEEDUTIL_MAX_FIELD) {
		free(r);
		r = NULL;
	}
	if (r == NULL && warn)
		x->host->warn(x->sink, feedutil_xml_line(n),
		    "left out the link \"%.*s\" in <%s>: not an absolute "
		    "http, https, mailto or tel URL", FEEDUTIL_QUOTE, t,
		    feedutil_xml_qname(n, qname, sizeof qname));
	free(base);
	free(t);
	return r;
}

/* --- the record being built --- */

/*
 * 1 for a list field, whose values accumulate: one of feedutil_lists,
 * told by its length first.
 */
static int
feedutil_is_list(const char *field, size_t len)
{
	size_t	i;

	for (i = 0; i < sizeof feedutil_lists / sizeof feedutil_lists[0]; i++)
		if (feedutil_lists[i].len == len &&
		    memcmp(field, feedutil_lists[i].name, len) == 0)
			return 1;
	return 0;
}

/* A field name's first 8 bytes as a number, zero-padded; its length. */
static uint64_t
feedutil_field_key(const char *field, size_t *len)
{
	uint64_t	key = 0;

	*len = strlen(field);
	memcpy(&key, field, *len < sizeof key ? *len : sizeof key);
	return key;
}

void
feedutil_item_clear(struct feedutil_xml *x)
{
	x->nvalues = 0;
	x->values_warned = 0;
	x->arena.len = 0;
}

/*
 * The row of `table`, then of the shared table, that reads element `n`
 * of vocabulary `ns`, or NULL.
 */
static const struct feedutil_map *
feedutil_row(const xmlChar *name, enum feedutil_ns ns,
    const struct feedutil_map *table, size_t ntable)
{
	size_t	i;

	for (i = 0; i < ntable; i++)
		if (table[i].ns == ns && xmlStrEqual(name,
		    (const xmlChar *)table[i].name))
			return &table[i];
	for (i = 0; i < sizeof feedutil_shared_map /
	    sizeof feedutil_shared_map[0]; i++)
		if (feedutil_shared_map[i].ns == ns && xmlStrEqual(name,
		    (const xmlChar *)feedutil_shared_map[i].name))
			return &feedutil_shared_map[i];
	return NULL;
}

int
feedutil_item_element(struct feedutil_xml *x, xmlNodePtr n,
    const struct feedutil_map *table, size_t ntable)
{
	struct feedutil_rowmemo		*memo;
	const struct feedutil_map	*row;
	enum feedutil_ns		 ns;
	uint64_t			 h;

	if (n->type != XML_ELEMENT_NODE ||
	    (ns = feedutil_xml_ns(x, n)) == FEEDUTIL_NS_OTHER)
		return 0;
	/* Names are interned by the parser: one pointer, one name. */
	h = ((uint64_t)(uintptr_t)n->name ^ (uint64_t)ns) *
	    UINT64_C(0x9e3779b97f4a7c15);
	memo = &x->rowmemo[h >> (64 - FEEDUTIL_ROW_MEMO_BITS)];
	if (memo->name == n->name && memo->ns == ns && memo->table == table)
		row = memo->row;
	else {
		row = feedutil_row(n->name, ns, table, ntable);
		memo->name = n->name;
		memo->ns = ns;
		memo->table = table;
		memo->row = row;
	}
	if (row != NULL) {
		feedutil_item_convert(x, n, row);
		return 1;
	}
	if (ns == FEEDUTIL_NS_DH)
		feedutil_warn_unknown(x, n);
	return 0;
}

void
feedutil_xml_cut_warn(struct feedutil_xml *x, xmlNodePtr n,
    const char *field, size_t len, size_t tlen, size_t max)
{
	if (len <= max || (tlen + 4 < max && len < FEEDUTIL_MAX_GATHER))
		return;
	feedutil_xml_warn(x, n, "%s: longer than %zu bytes: cut short",
	    field, max);
}

void
feedutil_item_convert(struct feedutil_xml *x, xmlNodePtr n,
    const struct feedutil_map *m)
{
	const char	*raw, *t;
	char		*own = NULL;
	size_t		 len, tlen;

	if (m->kind == FEEDUTIL_WHERE) {
		feedutil_where(x, n, m);
		return;
	}
	if ((raw = feedutil_xml_raw(x, n, m->kind == FEEDUTIL_TEXT ||
	    m->kind == FEEDUTIL_HTML ? FEEDUTIL_GATHER_AUTO :
	    FEEDUTIL_GATHER_TEXT, &len, &own)) == NULL)
		return;

	switch (m->kind) {
	case FEEDUTIL_HTML:
		if ((t = feedutil_rich(x, raw, len, FEEDUTIL_MAX_TEXT,
		    &tlen)) != NULL) {
			feedutil_xml_cut_warn(x, n, m->field, len, tlen,
			    FEEDUTIL_MAX_TEXT);
			feedutil_item_put(x, m->field, t, tlen, m->prio);
		}
		break;
	case FEEDUTIL_TEXT:
		if ((t = feedutil_plain(x, n, raw, len, FEEDUTIL_MAX_FIELD,
		    &tlen)) != NULL) {
			feedutil_xml_cut_warn(x, n, m->field, len, tlen,
			    FEEDUTIL_MAX_FIELD);
			feedutil_item_put(x, m->field, t, tlen, m->prio);
		}
		break;
	case FEEDUTIL_URL:
		feedutil_item_put_owned(x, m->field,
		    feedutil_xml_link(x, n, raw, 1), m->prio);
		break;
	case FEEDUTIL_DATE:
		feedutil_item_date(x, n, m, raw, len);
		break;
	case FEEDUTIL_DATES:
	case FEEDUTIL_TERMS:
		feedutil_split(x, n, m, raw);
		break;
	case FEEDUTIL_AUTHOR:
		/*
		 * "Name <mail@example.org>" is read as it stands; anything
		 * else in angle brackets is markup, made text like a title's.
		 */
		if (!feedutil_has_mail_brackets(raw, len)) {
			if ((t = feedutil_plain(x, n, raw, len,
			    FEEDUTIL_MAX_FIELD, &tlen)) != NULL) {
				char	*v;

				if ((v = strndup(t, tlen)) == NULL)
					x->oom = 1;
				else
					feedutil_author(x, m, v);
				free(v);
			}
			break;
		}
		/* FALLTHROUGH */
	default:
		/* The rest read one line of clean text first. */
		if ((t = feedutil_scratch_clean(x, 0, raw, len,
		    FEEDUTIL_MAX_FIELD, &tlen)) != NULL)
			feedutil_convert_clean(x, n, m, t);
		break;
	}
	free(own);
}

/* Starts `t` on scratch buffer `i` of the parse. */
static void
feedutil_scratch_begin(struct feedutil_xml *x, int i, struct feedutil_text *t,
    size_t max)
{
	memset(t, 0, sizeof *t);
	t->b = x->scratch[i];
	t->b.len = 0;
	t->max = max;
}

/*
 * Cuts and trims the text of `t` as feedutil_text_end() does and gives
 * its buffer back as scratch buffer `i`.  Returns the text (its length in
 * *len), good until that buffer is used again, or NULL when out of
 * memory.
 */
static const char *
feedutil_scratch_end(struct feedutil_xml *x, int i, struct feedutil_text *t,
    size_t *len)
{
	if (t->b.failed) {
		feedutil_buf_free(&t->b);
		x->scratch[i] = t->b;
		x->oom = 1;
		return NULL;
	}
	feedutil_text_trim(t);
	x->scratch[i] = t->b;
	*len = t->b.len;
	return t->b.data != NULL ? t->b.data : "";
}

/*
 * The `len` bytes at `s` cleaned as feedutil_text_clean() cleans them:
 * `s` itself when they are clean already and s[len] (which must be
 * readable) ends them, else the clean text in scratch buffer `i`.
 * Returns it (its length in *outlen), or NULL when out of memory.
 */
static const char *
feedutil_scratch_clean(struct feedutil_xml *x, int i, const char *s,
    size_t len, size_t max, size_t *outlen)
{
	struct feedutil_text	t;

	if (s[len] == '\0' && feedutil_is_clean(s, len, max)) {
		*outlen = len;
		return s;
	}
	feedutil_scratch_begin(x, i, &t, max);
	feedutil_text_feed(&t, s, len, 0);
	return feedutil_scratch_end(x, i, &t, outlen);
}

/*
 * What feedutil_html_to_text() makes of the `len` bytes at `raw` (with
 * raw[len] readable), in scratch buffer 0 or `raw` itself; its length in
 * *outlen.  NULL when out of memory.
 */
static const char *
feedutil_rich(struct feedutil_xml *x, const char *raw, size_t len,
    size_t max, size_t *outlen)
{
	struct feedutil_text	t;

	if (!feedutil_looks_like_html(raw, len)) {
		if (raw[len] == '\0' && feedutil_is_clean(raw, len, max)) {
			*outlen = len;
			return raw;
		}
		feedutil_scratch_begin(x, 0, &t, max);
		feedutil_text_feed(&t, raw, len, 1);
		return feedutil_scratch_end(x, 0, &t, outlen);
	}
	feedutil_scratch_begin(x, 0, &t, max);
	if (feedutil_html_feed(&t, raw, len) == -1)
		t.b.failed = 1;
	return feedutil_scratch_end(x, 0, &t, outlen);
}

/*
 * What feedutil_xml_text() makes of the `len` bytes at `raw` (with
 * raw[len] readable), the text of element `n` (NULL when it is not at
 * hand, for the line of a warning): one line of plain text, in a scratch
 * buffer or `raw` itself; its length in *outlen.  NULL when out of
 * memory.
 */
static const char *
feedutil_plain(struct feedutil_xml *x, xmlNodePtr n, const char *raw,
    size_t len, size_t max, size_t *outlen)
{
	struct feedutil_text	 t;
	const char		*h;
	size_t			 hlen;

	if (!feedutil_looks_like_html(raw, len))
		return feedutil_scratch_clean(x, 0, raw, len, max, outlen);
	feedutil_scratch_begin(x, 0, &t, max);
	if (feedutil_html_feed(&t, raw, len) == -1)
		t.b.failed = 1;
	if ((h = feedutil_scratch_end(x, 0, &t, &hlen)) == NULL)
		return NULL;
	/*
	 * Markup escaped twice (a CDATA section of "&lt;b&gt;Art&lt;/b&gt;")
	 * reads as "<b>Art</b>": a plain-text value has no use for tags,
	 * and an element opened and closed is markup, not words about it,
	 * so it is read as HTML once more.  A lone tag ("Why <b> is bold")
	 * is kept as the words it is.
	 */
	if (feedutil_markup_paired(h, hlen)) {
		if (!x->twice_warned++)
			x->host->warn(x->sink, n != NULL ?
			    feedutil_xml_line(n) : 0, "read markup that was "
			    "escaped twice (\"%.*s\") as HTML", FEEDUTIL_QUOTE,
			    h);
		feedutil_scratch_begin(x, 1, &t, max);
		if (feedutil_html_feed(&t, h, hlen) == -1)
			t.b.failed = 1;
		if ((h = feedutil_scratch_end(x, 1, &t, &hlen)) == NULL)
			return NULL;
		return feedutil_scratch_clean(x, 0, h, hlen, max, outlen);
	}
	return feedutil_scratch_clean(x, 1, h, hlen, max, outlen);
}

/*
 * 1 when text holds an HTML element the HTML reader knows both opened
 * and closed: "<b>Art</b>", "<p class=\"x\">On</p>".
 */
static int
feedutil_markup_paired(const char *s, size_t len)
{
	const char	*p = s, *end = s + len, *q;
	char		 name[FEEDUTIL_QUICK_NAME + 1];
	size_t		 n, k;

	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		for (q = ++p, n = 0; q < end && n < FEEDUTIL_QUICK_NAME &&
		    (feedutil_alpha(*q) || (n > 0 && *q >= '0' && *q <= '9'));
		    q++)
			name[n++] = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 :
			    *q);
		if (n == 0 || q == end || (*q != '>' && *q != ' ' && *q != '/'))
			continue;
		name[n] = '\0';
		if (feedutil_tag_kind(name) == FEEDUTIL_TAG_INLINE &&
		    !feedutil_quick_known(name))
			continue;
		/* Its end tag, in any case, after it. */
		for (q = p; (q = memchr(q, '<', (size_t)(end - q))) != NULL;
		    q++) {
			if ((size_t)(end - q) < n + 3 || q[1] != '/' ||
			    q[n + 2] != '>')
				continue;
			for (k = 0; k < n && (q[k + 2] | 0x20) == name[k]; k++)
				;
			if (k == n)
				return 1;
		}
	}
	return 0;
}

/* 1 when `name` (lower case) is an element of feedutil_quick_tags. */
static int
feedutil_quick_known(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof feedutil_quick_tags /
	    sizeof feedutil_quick_tags[0]; i++)
		if (strcmp(name, feedutil_quick_tags[i].name) == 0)
			return 1;
	return 0;
}

/*
 * The raw text of element `n` as feedutil_xml_gather() makes it, with
 * its length: the text of its only child itself when that is all there
 * is (most elements), else gathered into *own, which the caller frees.
 * NULL when out of memory.
 */
static const char *
feedutil_xml_raw(struct feedutil_xml *x, xmlNodePtr n,
    enum feedutil_gather how, size_t *len, char **own)
{
	xmlNodePtr	c = n->children;

	*own = NULL;
	if (c == NULL) {
		*len = 0;
		return "";
	}
	if (c->next == NULL && how != FEEDUTIL_GATHER_MARKUP &&
	    (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)) {
		if (c->content == NULL) {
			*len = 0;
			return "";
		}
		*len = strlen((const char *)c->content);
		return (const char *)c->content;
	}
	if ((*own = feedutil_xml_gather(x, n, how)) == NULL)
		return NULL;
	*len = strlen(*own);
	return *own;
}

/* The conversions that start from one line of clean text `v`. */
static void
feedutil_convert_clean(struct feedutil_xml *x, xmlNodePtr n,
    const struct feedutil_map *m, const char *v)
{
	const char	*s, *e, *sep;
	char		*perma;
	size_t		 vlen, pc, pclen;
	int		 permalink, found;

	if (*v == '\0')
		return;
	switch (m->kind) {
	case FEEDUTIL_RAW:
		feedutil_item_put(x, m->field, v, strlen(v), m->prio);
		break;
	case FEEDUTIL_EMAIL:
		s = strncasecmp(v, "mailto:", 7) == 0 ? v + 7 : v;
		feedutil_item_put(x, m->field, s, strlen(s), m->prio);
		break;
	case FEEDUTIL_GUID:
		feedutil_item_put(x, m->field, v, strlen(v), m->prio);
		perma = feedutil_xml_attr(x, n, "isPermaLink", NULL);
		permalink = perma == NULL || strcasecmp(perma, "true") == 0;
		free(perma);
		/* A guid that is no link (urn:uuid:) gives no url, quietly. */
		if (permalink)
			feedutil_item_put_owned(x, "url",
			    feedutil_xml_link(x, n, v, 0), 1);
		break;
	case FEEDUTIL_AUTHOR:
		feedutil_author(x, m, v);
		break;
	case FEEDUTIL_LOCATION:
		/*
		 * "Name, the address": the name is what comes first.  A UK
		 * postcode the text ends with is the postcode, taken out of
		 * the address (but never out of a name).
		 */
		vlen = strlen(v);
		found = feedutil_postcode_tail(v, vlen, &pc, &pclen);
		if ((sep = strchr(v, ',')) == NULL)
			feedutil_item_put(x, "location.name", v, vlen, m->prio);
		else {
			for (e = sep; e > v && e[-1] == ' '; e--)
				;
			feedutil_item_put(x, "location.name", v,
			    (size_t)(e - v), m->prio);
			for (s = sep + 1; *s == ' '; s++)
				;
			e = v + vlen;
			if (found && pc >= (size_t)(s - v))
				for (e = v + pc; e > s && (e[-1] == ' ' ||
				    e[-1] == ','); e--)
					;
			feedutil_item_put(x, "location.address", s,
			    (size_t)(e - s), m->prio);
		}
		if (found)
			feedutil_item_put(x, "location.postcode", v + pc, pclen,
			    m->prio);
		break;
	case FEEDUTIL_POINT:
		feedutil_point(x, n, m, v, 2);
		break;
	case FEEDUTIL_LAT:
	case FEEDUTIL_LON:
		if (!feedutil_coord(v, strlen(v),
		    m->kind == FEEDUTIL_LAT ? 90 : 180)) {
			x->host->warn(x->sink, feedutil_xml_line(n),
			    "left out %s \"%.*s\": not a coordinate in range",
			    m->field, FEEDUTIL_QUOTE, v);
			break;
		}
		feedutil_item_put(x, m->field, v, strlen(v), m->prio);
		break;
	default:
		break;
	}
}

/*
 * Reads "lat lon" (a comma between them forgiven), with an altitude after
 * them allowed when `most` is 3, into location.lat and location.lon.
 */
static void
feedutil_point(struct feedutil_xml *x, xmlNodePtr n,
    const struct feedutil_map *m, const char *v, size_t most)
{
	const char	*part[4];
	size_t		 len[4], count = 0;
	const char	*s = v;
	char		 qname[64];

	while (*s != '\0') {
		while (*s == ' ' || *s == ',')
			s++;
		if (*s == '\0')
			break;
		if (count == sizeof part / sizeof part[0]) {
			count++;
			break;
		}
		part[count] = s;
		len[count] = strcspn(s, " ,");
		s += len[count++];
	}
	if (count < 2 || count > most ||
	    !feedutil_coord(part[0], len[0], 90) ||
	    !feedutil_coord(part[1], len[1], 180) ||
	    (count == 3 && !feedutil_coord(part[2], len[2], 1e6))) {
		x->host->warn(x->sink, feedutil_xml_line(n),
		    "left out <%s> \"%.*s\": not a latitude and longitude in "
		    "range", feedutil_xml_qname(n, qname, sizeof qname),
		    FEEDUTIL_QUOTE, v);
		return;
	}
	feedutil_item_put(x, "location.lat", part[0], len[0], m->prio);
	feedutil_item_put(x, "location.lon", part[1], len[1], m->prio);
}

/*
 * Reads <georss:where><gml:Point><gml:pos>lat lon</gml:pos></gml:Point>
 * </georss:where>.  A point in a reference system other than WGS84 (the
 * GeoRSS default), or a shape other than a point, is left out with a
 * warning: its numbers are not a latitude and longitude.
 */
static void
feedutil_where(struct feedutil_xml *x, xmlNodePtr where,
    const struct feedutil_map *m)
{
	xmlNodePtr	 c, pos = NULL, point = NULL;
	char		*srs, *raw, *v, qname[64];
	int		 wgs84;

	for (c = where->children; c != NULL && point == NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    feedutil_xml_ns(x, c) == FEEDUTIL_NS_GML &&
		    xmlStrEqual(c->name, (const xmlChar *)"Point"))
			point = c;
	for (c = point != NULL ? point->children : NULL; c != NULL &&
	    pos == NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    feedutil_xml_ns(x, c) == FEEDUTIL_NS_GML &&
		    xmlStrEqual(c->name, (const xmlChar *)"pos"))
			pos = c;
	if (pos == NULL) {
		x->host->warn(x->sink, feedutil_xml_line(where),
		    "left out <%s>: only a gml:Point with a gml:pos is read",
		    feedutil_xml_qname(where, qname, sizeof qname));
		return;
	}
	/* EPSG 4326 and 4979 are WGS84 latitude first; CRS84 is not. */
	srs = feedutil_xml_attr(x, point, "srsName", NULL);
	wgs84 = srs == NULL || ((strstr(srs, "4326") != NULL ||
	    strstr(srs, "4979") != NULL) && strstr(srs, "CRS84") == NULL);
	if (!wgs84)
		x->host->warn(x->sink, feedutil_xml_line(point),
		    "left out <%s>: its coordinates are in \"%.*s\", not "
		    "WGS84 latitude and longitude",
		    feedutil_xml_qname(point, qname, sizeof qname),
		    FEEDUTIL_QUOTE, srs);
	free(srs);
	if (!wgs84)
		return;
	if ((raw = feedutil_xml_gather(x, pos, FEEDUTIL_GATHER_TEXT)) == NULL)
		return;
	if ((v = feedutil_text_clean(raw, strlen(raw), FEEDUTIL_MAX_FIELD)) ==
	    NULL)
		x->oom = 1;
	else if (*v != '\0')
		feedutil_point(x, pos, m, v, 3);
	free(v);
	free(raw);
}

/*
 * Reads an author: RSS says "email (Name)", mail says "Name <email>",
 * and many write just a name or just an address.
 */
/* 1 when `len` bytes at `s` hold "<...@...>", a mail address in brackets. */
static int
feedutil_has_mail_brackets(const char *s, size_t len)
{
	const char	*open, *close, *end = s + len;

	for (; (open = memchr(s, '<', (size_t)(end - s))) != NULL;
	    s = close + 1) {
		if ((close = memchr(open, '>', (size_t)(end - open))) == NULL)
			return 0;
		if (memchr(open, '@', (size_t)(close - open)) != NULL)
			return 1;
	}
	return 0;
}

static void
feedutil_author(struct feedutil_xml *x, const struct feedutil_map *m,
    const char *v)
{
	const char	*open, *close, *e;

	if ((open = strchr(v, '(')) != NULL &&
	    (close = strrchr(open, ')')) != NULL) {
		feedutil_item_put(x, "organiser.name", open + 1,
		    (size_t)(close - open - 1), m->prio);
		for (e = open; e > v && e[-1] == ' '; e--)
			;
		if (memchr(v, '@', (size_t)(e - v)) != NULL)
			feedutil_item_put(x, "organiser.email", v,
			    (size_t)(e - v), 1);
	} else if ((open = strchr(v, '<')) != NULL &&
	    (close = strchr(open, '>')) != NULL) {
		for (e = open; e > v && e[-1] == ' '; e--)
			;
		feedutil_item_put(x, "organiser.name", v, (size_t)(e - v),
		    m->prio);
		if (memchr(open, '@', (size_t)(close - open)) != NULL)
			feedutil_item_put(x, "organiser.email", open + 1,
			    (size_t)(close - open - 1), 1);
	} else if (strchr(v, '@') != NULL && strchr(v, ' ') == NULL)
		feedutil_item_put(x, "organiser.email", v, strlen(v), 1);
	else
		feedutil_item_put(x, "organiser.name", v, strlen(v), m->prio);
}

/*
 * Splits a comma-separated list into a value each.  A list of dates is
 * first tried whole, because an RFC 822 date has a comma of its own.
 */
static void
feedutil_split(struct feedutil_xml *x, xmlNodePtr n,
    const struct feedutil_map *m, const char *raw)
{
	const char	*s, *comma, *part;
	char		 out[FEEDUTIL_DATE_MAX];
	size_t		 len;

	if (m->kind == FEEDUTIL_DATES &&
	    feedutil_date_parse(raw, strlen(raw), out, sizeof out) == 0) {
		feedutil_item_put(x, m->field, out, strlen(out), m->prio);
		return;
	}
	for (s = raw; !x->oom; s = comma + 1) {
		if ((comma = strchr(s, ',')) == NULL)
			comma = s + strlen(s);
		if (m->kind == FEEDUTIL_DATES)
			feedutil_item_date(x, n, m, s, (size_t)(comma - s));
		else if ((part = feedutil_scratch_clean(x, 0, s,
		    (size_t)(comma - s), FEEDUTIL_MAX_FIELD, &len)) != NULL)
			feedutil_item_put(x, m->field, part, len, m->prio);
		if (*comma == '\0')
			break;
	}
}

/* Converts one date for the record, or warns and leaves it out. */
static void
feedutil_item_date(struct feedutil_xml *x, xmlNodePtr n,
    const struct feedutil_map *m, const char *s, size_t len)
{
	const char	*t;
	char		 out[FEEDUTIL_DATE_MAX], qname[64];
	size_t		 tlen;

	if ((t = feedutil_scratch_clean(x, 0, s, len, FEEDUTIL_MAX_FIELD,
	    &tlen)) == NULL || tlen == 0)
		return;
	if (feedutil_date_parse(t, tlen, out, sizeof out) == -1)
		x->host->warn(x->sink, feedutil_xml_line(n),
		    "left out the date \"%.*s\" in <%s>: not a date this "
		    "module can read", FEEDUTIL_QUOTE, t,
		    feedutil_xml_qname(n, qname, sizeof qname));
	else
		feedutil_item_put(x, m->field, out, strlen(out), m->prio);
}

/* 1 when `s` is a decimal number within [-limit, limit]. */
static int
feedutil_coord(const char *s, size_t len, double limit)
{
	double	v;

	return feedutil_decimal_parse(s, len, &v) == 0 && v >= -limit &&
	    v <= limit;
}

void
feedutil_item_put(struct feedutil_xml *x, const char *field, const char *s,
    size_t len, int prio)
{
	struct feedutil_value	*val;
	uint64_t		 key;
	size_t			 i, flen, count = 0, off;
	int			 list, inside;

	/* The value ends at a NUL, as a C string would. */
	if (s == NULL || (len = strnlen(s, len)) == 0)
		return;
	key = feedutil_field_key(field, &flen);
	list = feedutil_is_list(field, flen);
	for (i = 0; i < x->nvalues; i++) {
		val = &x->values[i];
		if (val->key != key || val->flen != flen || (flen > 8 &&
		    memcmp(val->field + 8, field + 8, flen - 8) != 0))
			continue;
		if (list) {
			if ((val->len == len && memcmp(x->arena.data + val->off,
			    s, len) == 0) || ++count >= FEEDUTIL_MAX_LIST)
				return;
			continue;
		}
		if (prio <= val->prio)
			return;
		break;
	}
	if (i == x->nvalues && x->nvalues == FEEDUTIL_MAX_VALUES) {
		if (!x->values_warned++)
			x->host->warn(x->sink, 0, "a record has more than %d "
			    "values; the rest were left out",
			    FEEDUTIL_MAX_VALUES);
		return;
	}
	/* `s` may be a value already in the arena, which may move. */
	inside = x->arena.data != NULL && s >= x->arena.data &&
	    s < x->arena.data + x->arena.len;
	off = inside ? (size_t)(s - x->arena.data) : 0;
	if (feedutil_buf_room(&x->arena, len + 1) == -1) {
		x->oom = 1;
		return;
	}
	if (inside)
		s = x->arena.data + off;
	off = x->arena.len;
	memcpy(x->arena.data + off, s, len);
	x->arena.data[off + len] = '\0';
	x->arena.len += len + 1;
	/* A single field replaced keeps its place; a new one goes last. */
	val = &x->values[i];
	if (i == x->nvalues) {
		x->nvalues++;
		val->field = field;
		val->flen = flen;
		val->key = key;
	}
	val->off = off;
	val->len = len;
	val->prio = prio;
}

void
feedutil_item_put_owned(struct feedutil_xml *x, const char *field, char *v,
    int prio)
{
	if (v != NULL)
		feedutil_item_put(x, field, v, strlen(v), prio);
	free(v);
}

const char *
feedutil_item_get(const struct feedutil_xml *x, const char *field)
{
	const struct feedutil_value	*val;
	uint64_t			 key;
	size_t				 i, flen;

	key = feedutil_field_key(field, &flen);
	for (i = 0; i < x->nvalues; i++) {
		val = &x->values[i];
		if (val->key == key && val->flen == flen && (flen <= 8 ||
		    memcmp(val->field + 8, field + 8, flen - 8) == 0))
			return x->arena.data + val->off;
	}
	return NULL;
}

int
feedutil_item_room(struct feedutil_xml *x, xmlNodePtr item)
{
	if (x->in->max_items == 0 || x->nrecords < x->in->max_items)
		return 1;
	/* The host is never asked past its limit, so it cannot say so. */
	if (!x->limit_warned++)
		feedutil_xml_warn(x, item, "stopped after %zu items: the feed "
		    "is over the limit", x->nrecords);
	return 0;
}

int
feedutil_item_emit(struct feedutil_xml *x)
{
	const struct dayhub_host	*h = x->host;
	size_t				 i;

	if (h->begin(x->sink) == DAYHUB_STOP)
		return DAYHUB_STOP;
	for (i = 0; i < x->nvalues; i++) {
		/* DAYHUB_REJECT: the host has warned; the rest still goes. */
		if (h->set(x->sink, x->values[i].field, x->arena.data +
		    x->values[i].off, x->values[i].len) == DAYHUB_STOP)
			return DAYHUB_STOP;
	}
	x->nrecords++;
	if (h->end(x->sink) == DAYHUB_STOP)
		return DAYHUB_STOP;
	return DAYHUB_OK;
}

/* Warns about an unknown dh: element, once per name in a feed. */
static void
feedutil_warn_unknown(struct feedutil_xml *x, xmlNodePtr n)
{
	size_t	i;

	for (i = 0; i < x->nwarned; i++)
		if (strncmp(x->warned[i], (const char *)n->name,
		    FEEDUTIL_WARNED_NAME - 1) == 0)
			return;
	if (x->nwarned == FEEDUTIL_MAX_WARNED)
		return;
	snprintf(x->warned[x->nwarned++], FEEDUTIL_WARNED_NAME, "%s",
	    (const char *)n->name);
	x->host->warn(x->sink, feedutil_xml_line(n),
	    "left out <%s:%.*s>, which the dayhub namespace does not define",
	    n->ns->prefix != NULL ? (const char *)n->ns->prefix : "dh",
	    FEEDUTIL_QUOTE, (const char *)n->name);
}
