#!/bin/sh
# run.sh - builds one libFuzzer target per format module and runs each.
#
# Usage: tests/fuzz/run.sh [SECONDS] [MODULE...]
#
# SECONDS is the time per target (default 60); MODULE limits the run to
# some of rss, atom, ical, openactive, jsonld.  Each target links the
# module's own sources with tests/fuzz/fuzzhost.c under
# -fsanitize=fuzzer,address,undefined.  Its corpus grows in
# $FUZZ_BUILD/corpus/MODULE; it is seeded (by symbolic links, nothing is
# copied) from feeds/fixtures/<format>, feeds/examples and feeds/demo in
# the source tree, and from the public corpora under $DAYHUB_CORPUS
# (default: ../shared/corpus beside the source tree, when it is there).
#
# Needs clang (with libFuzzer: Debian's clang), pkg-config and the -dev
# packages of libxml2, jansson and libical.
#
# Environment: FUZZ_BUILD (default ./fuzz-build), DAYHUB_SRCDIR (default:
# the tree this script is in), DAYHUB_CORPUS, CC (default clang).
#
# Exits 0 when every target ran its time without a finding, 1 when any
# crashed, leaked, hung or broke a host rule (each named, with the
# reproducer's path and the log), 2 when the targets could not be built.

set -u

seconds=${1:-60}
[ $# -gt 0 ] && shift
case $seconds in
''|*[!0-9]*) echo "run.sh: SECONDS must be a whole number: $seconds" >&2
	exit 2 ;;
esac
modules=${*:-rss atom ical openactive jsonld}

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${DAYHUB_SRCDIR:-$(cd "$here/../.." && pwd)}
build=${FUZZ_BUILD:-./fuzz-build}
cc=${CC:-clang}
corpus=${DAYHUB_CORPUS:-}
# The public corpora sit beside the source tree when nothing else is said.
if [ -z "$corpus" ] && [ -d "$srcdir/../shared/corpus" ]; then
	corpus=$(cd "$srcdir/../shared/corpus" && pwd)
fi

mkdir -p "$build" || exit 2
build=$(cd "$build" && pwd)

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "run.sh: no $cc: install clang" >&2
	exit 2
fi
if ! pkgflags=$(pkg-config --cflags --libs libxml-2.0 jansson libical); then
	echo "run.sh: install libxml2-dev, libjansson-dev and libical-dev" >&2
	exit 2
fi

# The modules include "config.h"; outside an autotools build a stand-in
# with what they need is enough.
version=$(sed -n 's/^AC_INIT(\[dayhub\], \[\([^]]*\)\].*/\1/p' \
    "$srcdir/configure.ac")
cat >"$build/config.h" <<EOF
#define PACKAGE_NAME "dayhub"
#define PACKAGE_VERSION "${version:-0}"
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
EOF

cflags="-std=gnu11 -g -O1 -fno-omit-frame-pointer \
-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
-Wall -Wextra -Wno-unused-parameter"

# The sources of a module, as plugins/Makefile.am links them.
sources() {
	case $1 in
	openactive|jsonld)
		echo "plugins/$1.c plugins/feedutil.c plugins/schemaorg.c" ;;
	*)	echo "plugins/$1.c plugins/feedutil.c" ;;
	esac
}

# Where the seed inputs of a module are: "directory pattern..." lines.
seeds() {
	f=$srcdir/feeds
	c=$corpus
	case $1 in
	rss)
		echo "$f/fixtures/rss *.xml"
		echo "$f/examples *.rss"
		echo "$f/demo *.rss"
		[ -n "$c" ] && {
			echo "$c/gofeed/testdata/parser/rss *.xml"
			echo "$c/feedparser/tests/wellformed/rss *.xml"
			echo "$c/feedparser/tests/wellformed/rdf *.xml"
			echo "$c/feedparser/tests/wellformed/geo *.xml"
			echo "$c/feedvalidator/testcases *.xml"
		} ;;
	atom)
		echo "$f/fixtures/atom *.xml"
		echo "$f/examples *.atom"
		[ -n "$c" ] && {
			echo "$c/gofeed/testdata/parser/atom *.xml"
			echo "$c/feedparser/tests/wellformed/atom *.xml"
			echo "$c/feedparser/tests/wellformed/atom10 *.xml"
		} ;;
	ical)
		echo "$f/fixtures/ical *.ics *.xml"
		echo "$f/examples *.ics *.xcal.xml"
		[ -n "$c" ] && {
			echo "$c/icaljs/samples *.ics"
			echo "$c/recurring-ical-events *.ics"
			echo "$c/biweekly *.ics *.xml"
		} ;;
	openactive)
		echo "$f/fixtures/openactive *.json"
		echo "$f/examples *rpde*.json"
		[ -n "$c" ] && echo "$c/openactive/versions *.json" ;;
	jsonld)
		echo "$f/fixtures/jsonld *.html"
		echo "$f/examples *jsonld*.html"
		[ -n "$c" ] && echo "$c/openactive/versions *.json" ;;
	esac
}

# Links each seed file into $build/seeds/MODULE, named uniquely.
link_seeds() {
	dir=$build/seeds/$1
	rm -rf "$dir"
	mkdir -p "$dir"
	n=0
	seeds "$1" | while read -r top patterns; do
		[ -d "$top" ] || continue
		for p in $patterns; do
			find "$top" -type f -name "$p" -size -65k
		done
	done | sort -u | while read -r file; do
		n=$((n + 1))
		ln -s "$file" "$dir/$n-$(basename "$file")"
	done
}

status=0
failed=
mkdir -p "$build/bin" "$build/logs"
for m in $modules; do
	case $m in
	rss|atom|ical|openactive|jsonld) ;;
	*)	echo "run.sh: no module $m" >&2
		exit 2 ;;
	esac
	src=
	for s in $(sources "$m"); do
		src="$src $srcdir/$s"
	done
	echo "== building fuzz_$m"
	# shellcheck disable=SC2086
	if ! $cc $cflags -DFUZZ_MODULE="\"$m\"" -I"$build" \
	    -I"$srcdir/include" -I"$srcdir/plugins" \
	    "$here/fuzzhost.c" $src $pkgflags -o "$build/bin/fuzz_$m"; then
		echo "run.sh: fuzz_$m did not build" >&2
		exit 2
	fi
done

for m in $modules; do
	link_seeds "$m"
	mkdir -p "$build/corpus/$m" "$build/artifacts/$m"
	case $m in
	rss|atom)	dict=$here/xml.dict ;;
	ical)		dict=$here/ical.dict ;;
	*)		dict=$here/json.dict ;;
	esac
	log=$build/logs/$m.log
	touch "$build/artifacts/$m.stamp"
	echo "== fuzz_$m for ${seconds}s ($(find "$build/seeds/$m" -type l | wc -l)" \
	    "seeds, log $log)"
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	"$build/bin/fuzz_$m" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	    -max_total_time="$seconds" -print_final_stats=1 -dict="$dict" \
	    -artifact_prefix="$build/artifacts/$m/" \
	    "$build/corpus/$m" "$build/seeds/$m" >"$log" 2>&1
	rc=$?
	grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|stat::peak_rss_mb)' \
	    "$log" | sed 's/^/   /'
	if [ $rc -ne 0 ]; then
		status=1
		failed="$failed $m"
		echo "FAIL: fuzz_$m exited $rc"
		grep -E 'ERROR: |SUMMARY: |fuzzhost: |runtime error|^    #[0-9] ' \
		    "$log" | head -30 | sed 's/^/   /'
		find "$build/artifacts/$m" -type f \
		    -newer "$build/artifacts/$m.stamp" | while read -r a; do
			echo "   reproducer: $a"
			echo "   replay: $build/bin/fuzz_$m $a"
		done
	fi
done

if [ $status -ne 0 ]; then
	echo "fuzzing found problems in:$failed"
else
	echo "fuzzing: no findings in ${seconds}s per target ($modules)"
fi
exit $status
