#!/usr/bin/env bash
# setup_audit.sh — is scripts/setup's package list complete?  Everything a
# build tree resolved (CMakeCache.txt's paths, every header in the
# compiler's depfiles, every library its programs load) and everything in
# tests/integration/setup_uses.txt (programs the tests call, their data, the
# sanitizer runtimes) is mapped to the Debian package that owns it
# (dpkg -S); each such package must be in the list or pulled in by a hard
# dependency of one.  A fresh Debian installs exactly that and no more
# (scripts/setup uses --no-install-recommends), so anything else is a
# package this machine has by accident.  docs/setup.md has the rules.
#
#   setup_audit.sh check BUILD SOURCE          exit 0 complete, 1 not (one line per problem)
#   setup_audit.sh detects PKG BUILD SOURCE    the same audit against the list without
#                                              PKG must fail and name PKG: exit 0 if so
# Exit 77 (skipped) where there is no dpkg (not Debian).  Needs bash, awk
# and dpkg only: a fresh Debian has no python3.
#
# The one design decision: the closure follows only Depends and Pre-Depends
# of the packages installed here (dpkg-query, offline), taking for "a | b"
# the first alternative that is installed, as apt would on a fresh machine;
# Essential and Priority: required packages count as present on any Debian
# (debootstrap's minbase installs them).  Recommends never count.
set -u
export LC_ALL=C

usage() { echo "usage: $0 check BUILD SOURCE | detects PKG BUILD SOURCE" >&2; exit 2; }
case ${1:-} in
  check) [ $# -eq 3 ] || usage; without= build=$2 src=$3 ;;
  detects) [ $# -eq 4 ] || usage; without=$2 build=$3 src=$4 ;;
  *) usage ;;
esac
command -v dpkg-query >/dev/null || { echo "SKIP: no dpkg-query: not a Debian system"; exit 77; }
[ -f "$build/CMakeCache.txt" ] || { echo "setup.complete: FAIL: no $build/CMakeCache.txt"; exit 1; }
# The headers come from make's depfiles and the programs from its link.txt
# files (scripts/build's generator); other generators keep neither.
[ -f "$build/Makefile" ] ||
  { echo "SKIP: $build is not a Makefiles build tree: its depfiles and link lines are not where the audit reads them"; exit 77; }
# Depfiles name the trees as CMake was given them, links resolved or not.
export trees=$(printf '%s\n' "$(realpath -s "$src")" "$(realpath -s "$build")" \
                               "$(realpath "$src")" "$(realpath "$build")" | sort -u)
build=$(realpath "$build") src=$(realpath "$src")
uses=$src/tests/integration/setup_uses.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- what is needed: items "PATH<TAB>need<TAB>why", need = required|optional --
# Paths inside the source or build tree are the project's own.
ours() {
  local t
  while IFS= read -r t; do case $1 in "$t"/*) return 0 ;; esac; done <<<"$trees"
  return 1
}

collect() {
  local kind need what line p
  # setup_uses.txt: programs, files, printed paths; optional cache entries
  # and prefixes go to their own files.
  : >"$tmp/optcache"; : >"$tmp/prefixes"
  while IFS= read -r line; do
    line=${line%%#*}
    read -r kind need what <<<"$line" || continue
    [ -n "${kind:-}" ] || continue
    case $kind in
      program)
        if p=$(command -v -- "$what") && [ "${p#/}" != "$p" ]; then
          printf '%s\t%s\tprogram %s\n' "$p" "$need" "$what"
        elif [ "$need" = required ]; then
          printf 'PROBLEM\tprogram not found: %s (setup_uses.txt)\n' "$what" >>"$tmp/problems"
        fi ;;
      file) printf '%s\t%s\t%s\n' "$what" "$need" "file" ;;
      print)
        p=$(eval "$what" 2>/dev/null | head -1)
        if [ -n "$p" ] && [ "${p#/}" != "$p" ] && [ -e "$p" ]; then
          printf '%s\t%s\t%s\n' "$p" "$need" "$what"
        elif [ "$need" = required ]; then
          printf 'PROBLEM\tno file from `%s` (setup_uses.txt)\n' "$what" >>"$tmp/problems"
        fi ;;
      cache) echo "$what" >>"$tmp/optcache" ;;
      prefix) echo "$what" >>"$tmp/prefixes" ;;
      *) printf 'PROBLEM\tsetup_uses.txt: unknown kind %s\n' "$kind" >>"$tmp/problems" ;;
    esac
  done <"$uses"

  # CMakeCache.txt: every value (or ;-list element) that is an absolute
  # path to a file: find_library/find_program/find_path results, the
  # pkg-config libraries (pkgcfg_lib_*, *_LINK_LIBRARIES), the toolchain.
  # Directories (*_INCLUDE_DIR) say nothing on their own: the headers read
  # from them are in the depfiles.
  awk '/^[A-Za-z_][^:=]*:[A-Z]+=/ {
         name = substr($0, 1, index($0, ":") - 1)
         n = split(substr($0, index($0, "=") + 1), v, ";")
         for (i = 1; i <= n; i++) if (v[i] ~ /^\//) print v[i] "\t" name
       }' "$build/CMakeCache.txt" |
  while IFS=$'\t' read -r p name; do
    local pat
    [ -f "$p" ] || continue
    ours "$p" && continue
    need=required
    while IFS= read -r pat; do
      # shellcheck disable=SC2254  # the entry is a glob on purpose
      case $name in $pat) need=optional; break ;; esac
    done <"$tmp/optcache"
    printf '%s\t%s\tCMakeCache %s\n' "$p" "$need" "$name"
  done

  # This build's own files only: the plugin.install test configures a
  # nested build tree under this one (and installs a copy of infergate
  # there, without the build's RPATH), so any folder with a CMakeCache.txt
  # of its own is left out.
  local prune=() c f
  while IFS= read -r c; do
    prune+=(-path "${c%/CMakeCache.txt}" -prune -o)
  done < <(find "$build" -mindepth 2 -name CMakeCache.txt 2>/dev/null)
  find "$build" "${prune[@]}" -path '*/CMakeFiles/*' -type f \
       \( -name '*.d' -o -name compiler_depend.make -o -name link.txt \) -print >"$tmp/files"

  # Every header the compiler read: its depfiles (*.d beside the objects,
  # and compiler_depend.make once make has merged them).
  grep -v '/link\.txt$' "$tmp/files" | xargs -r -d '\n' cat 2>/dev/null |
    awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\// && $i !~ /:$/) print $i }' |
    sort -u >"$tmp/headers"
  [ -s "$tmp/headers" ] ||
    printf 'PROBLEM\tno compiler depfiles in %s: build it first\n' "$build" >>"$tmp/problems"
  while IFS= read -r p; do
    [ -e "$p" ] && ! ours "$p" && printf '%s\trequired\theader\n' "$p"
  done <"$tmp/headers"

  # Every program and plugin the build linked (link.txt: the output after
  # -o, run from the folder above CMakeFiles), the libraries named on its
  # link line by path, and the shared libraries the loader then finds for
  # it (the runtime packages; the -dev packages own the .so links).
  grep '/link\.txt$' "$tmp/files" | while IFS= read -r f; do
    c=${f%/CMakeFiles/*}
    awk '{ for (i = 1; i <= NF; i++)
             if ($i == "-o") print "OUT\t" $(i + 1); else if ($i ~ /^\//) print "LIB\t" $i }' "$f" |
    while IFS=$'\t' read -r kind p; do
      case $p in /*) ;; *) p=$c/$p ;; esac
      [ -f "$p" ] || continue
      if [ "$kind" = LIB ]; then
        ours "$p" || printf '%s\trequired\tlink %s\n' "$p" "${f#"$build"/}"
        continue
      fi
      ldd "$p" 2>/dev/null | awk -v f="${p#"$build"/}" '
        /=> not found/ { print "PROBLEM\tthe loader finds no " $1 " for " f; next }
        { for (i = 1; i <= NF; i++) if ($i ~ /^\//) { print $i "\trequired\tldd " f; break } }'
    done
  done
}

# --- path -> package: the path as given, each hop of its symlinks, its
# realpath, and the merged-/usr twin of each (Debian 12 ships some files
# under /lib, others under /usr/lib, and dpkg knows only the shipped one).
candidates() {
  local p=$1 hop=$1 t i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    echo "$p	$hop"
    case $hop in
      /usr/bin/*|/usr/sbin/*|/usr/lib/*|/usr/lib32/*|/usr/lib64/*|/usr/libx32/*) echo "$p	${hop#/usr}" ;;
      /bin/*|/sbin/*|/lib/*|/lib32/*|/lib64/*|/libx32/*) echo "$p	/usr$hop" ;;
    esac
    [ -L "$hop" ] || break
    t=$(readlink -- "$hop")
    case $t in /*) ;; *) t=${hop%/*}/$t ;; esac
    hop=$(realpath -sm -- "$t")
  done
  # The realpath comes last: the verdict matches it against setup_uses.txt's
  # prefixes (/usr/local/cuda is a link to /usr/local/cuda-13.0).
  t=$(realpath -m -- "$p")
  case $t in /usr/*) echo "$p	${t#/usr}" ;; esac
  echo "$p	$t"
}

audit() { # LISTFILE -> prints problems and a closing line; returns 0/1
  local list=$1
  : >"$tmp/problems"
  collect >"$tmp/items" 2>/dev/null
  grep '^PROBLEM	' "$tmp/items" >>"$tmp/problems"
  # One line per path, "required" winning over "optional"; the trees' own
  # files (a library linked from the build folder) are the project's.
  grep -v '^PROBLEM	' "$tmp/items" |
    awk -F'\t' 'BEGIN { n = split(ENVIRON["trees"], t, "\n") }
                { for (i = 1; i <= n; i++) if (index($1, t[i] "/") == 1) next; print }' |
    sort -t$'\t' -k1,1 -k2,2r | awk -F'\t' '!seen[$1]++' >"$tmp/needed"

  cut -f1 "$tmp/needed" | while IFS= read -r p; do candidates "$p"; done >"$tmp/cands"
  cut -f2 "$tmp/cands" | sort -u | xargs -r -d '\n' dpkg-query -S 2>/dev/null |
    awk '!/^diversion by / && (i = index($0, ": /")) {
           n = split(substr($0, 1, i - 1), o, ", "); s = ""
           for (k = 1; k <= n; k++) { sub(/:.*/, "", o[k]); s = s (k > 1 ? " " : "") o[k] }
           print substr($0, i + 2) "\t" s
         }' >"$tmp/owners"

  dpkg-query -W -f='${db:Status-Abbrev}\t${Package}\t${Essential}\t${Priority}\t${Pre-Depends}\t${Depends}\t${Provides}\n' \
    >"$tmp/installed"

  # The closure: the list, Essential and required packages, and their hard
  # dependencies, transitively.  "ABSENT" marks a listed name that is
  # neither installed nor provided by an installed package.
  awk -F'\t' '
    function bare(s) { gsub(/\([^)]*\)/, "", s); gsub(/[ \t]/, "", s); sub(/:.*/, "", s); return s }
    function push(p) { if (!(p in in_)) { in_[p] = 1; q[++qt] = p } }
    function want(name,   n, a, k) {
      if (name in inst) { push(name); return 1 }
      if (name in prov) { n = split(prov[name], a, " "); for (k = 1; k <= n; k++) push(a[k]); return 1 }
      return 0
    }
    FNR == NR { if ($1 != "") roots[++nr] = $1; next }
    substr($1, 2, 1) == "i" {
      inst[$2] = 1; deps[$2] = deps[$2] "," $5 "," $6
      if ($3 == "yes" || $4 == "required") base[$2] = 1
      n = split($7, pv, ",")
      for (i = 1; i <= n; i++) if ((v = bare(pv[i])) != "" && index(" " prov[v] " ", " " $2 " ") == 0)
        prov[v] = prov[v] " " $2
    }
    END {
      for (p in base) push(p)
      for (i = 1; i <= nr; i++) if (!want(roots[i])) print "ABSENT\t" roots[i]
      for (h = 1; h <= qt; h++) {
        ng = split(deps[q[h]], g, ",")
        for (j = 1; j <= ng; j++) {
          na = split(g[j], alt, "|")
          for (k = 1; k <= na; k++) if ((a = bare(alt[k])) != "" && want(a)) break
        }
      }
      for (p in in_) print "IN\t" p
    }' "$list" "$tmp/installed" >"$tmp/closure"

  # The verdict: one line per package, per unowned path, per problem.
  awk -F'\t' -v prefixes="$tmp/prefixes" -v problems="$tmp/problems" -v npk="$(grep -c . "$list")" '
    BEGIN {
      while ((getline l < prefixes) > 0) pre[++npre] = l
      while ((getline l < problems) > 0) { split(l, a, "\t"); out[++no] = "setup.complete: " a[2] }
    }
    # A prefix is a path, or a path ending in "*" (any name that starts so).
    function under(p, g,   s) {
      if (substr(g, length(g)) == "*") { s = substr(g, 1, length(g) - 1); return substr(p, 1, length(s)) == s }
      return p == g || substr(p, 1, length(g) + 1) == g "/"
    }
    function optional_path(p, r,   i) {
      for (i = 1; i <= npre; i++) if (under(p, pre[i]) || under(r, pre[i])) { hits[pre[i]]++; return 1 }
      return 0
    }
    FILENAME ~ /closure$/ { if ($1 == "ABSENT") out[++no] = "setup.complete: " $2 " is in scripts/setup but not installed: run scripts/setup"; else in_[$2] = 1; next }
    FILENAME ~ /owners$/ { own[$1] = $2; next }
    FILENAME ~ /cands$/ { if (!($1 in owner) && ($2 in own)) owner[$1] = own[$2]; real[$1] = $2; next }
    {
      p = $1; need = $2; why = $3; checked++
      if (optional_path(p, real[p])) next
      if (!(p in owner)) {
        if (need != "required") note[++nn] = "note: " p " (" why ", optional) is not from a Debian package"
        else if (++unowned <= 10) out[++no] = "setup.complete: not from a Debian package: " p " (" why ")"
        next
      }
      n = split(owner[p], o, " "); ok = 0
      for (i = 1; i <= n; i++) if (o[i] in in_) ok = 1
      if (ok) next
      if (need != "required") { note[++nn] = "note: " p " (" why ", optional) comes from " owner[p] ", not installed by scripts/setup"; next }
      if (!(owner[p] in first)) { first[owner[p]] = p " (" why ")"; order[++nm] = owner[p] }
      more[owner[p]]++
    }
    END {
      if (unowned > 10) out[++no] = "setup.complete: and " (unowned - 10) " more paths not from a Debian package"
      for (i = 1; i <= nm; i++) {
        k = order[i]; m = more[k] - 1; gsub(/ /, " or ", k)
        out[++no] = "setup.complete: add " k " to scripts/setup: it owns " first[order[i]] \
                    (m ? " and " m " more" : "") ", and no package in the list pulls it in by Depends"
      }
      for (i = 1; i <= no; i++) print out[i]
      for (i = 1; i <= nn; i++) print note[i]
      for (i = 1; i <= npre; i++) if (hits[pre[i]]) {
        print "note: " hits[pre[i]] " paths under " pre[i] " skipped: optional, not from Debian (setup_uses.txt)"
        skipped += hits[pre[i]]
      }
      skipped += nn
      for (p in in_) nc++
      if (no) { printf "setup.complete: FAIL: %d problem%s; %d listed packages, %d with their hard Depends and the base system\n", no, (no > 1 ? "s" : ""), npk, nc; exit 1 }
      printf "setup.complete: PASS: %d paths, %d optional skipped; the rest all come from the %d listed packages or their hard Depends (%d packages with the base system)\n", checked, skipped, npk, nc
    }' "$tmp/closure" "$tmp/owners" "$tmp/cands" "$tmp/needed"
}

if [ -z "$without" ]; then
  "$src/scripts/setup" --list >"$tmp/list" || { echo "setup.complete: FAIL: scripts/setup --list failed"; exit 1; }
  audit "$tmp/list"
  exit
fi

# detects: the same audit on the list less one package.
"$src/scripts/setup" --list >"$tmp/full" || { echo "FAIL: scripts/setup --list failed"; exit 1; }
grep -qx -- "$without" "$tmp/full" || { echo "FAIL: $without is not in scripts/setup --list"; exit 1; }
grep -vx -- "$without" "$tmp/full" >"$tmp/list"
audit "$tmp/list" >"$tmp/out"
rc=$?
cat "$tmp/out"
[ $rc -eq 1 ] || { echo "FAIL: the audit without $without exited $rc, expected 1"; exit 1; }
grep -q "^setup.complete: add $without to scripts/setup:" "$tmp/out" ||
  { echo "FAIL: the audit failed without naming $without"; exit 1; }
echo "PASS: without $without in the list, setup.complete fails and names it"
