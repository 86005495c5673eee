#!/usr/bin/env bash
# Proof of the single static Docker image without a Docker daemon (issue #10 item 6).
#
#   sudo scripts/verify-image.sh [--reuse-node-modules] [--keep] [--mm-seconds 10]
#
# 1. Build stage, as the Dockerfile says: the Dockerfile's own COPY and RUN lines of the
#    `build` stage are read and replayed in an empty directory (WORKDIR → that directory,
#    /out → a scratch output), so the executable is compiled exactly as `docker build` would.
#    `--reuse-node-modules` replaces `npm ci` by a symlink to this checkout's node_modules
#    (same lockfile; no registry traffic).
# 2. Final stage: a root directory holding exactly what the image holds — the files the final
#    stage COPYs (/app with the executable, data/ and logs/, owned 65532), plus what the
#    distroless base-debian12:nonroot layer provides and the executable uses: the glibc
#    libraries `ldd` names, the CA bundle, tzdata, /etc/passwd and /etc/group with `nonroot`
#    (65532), /etc/nsswitch.conf, /tmp and /home/nonroot. Nothing else: no shell, no Bun, no
#    node_modules, no source.
# 3. Runs the image's jobs in that root (chroot via nsenter --root, in the Dockerfile's WORKDIR)
#    as uid 65532 (its USER), with its ENV and nothing else, in a private mount namespace that adds only what a container
#    runtime adds at run time (/proc, /dev/null|zero|random|urandom, /etc/hosts, /etc/resolv.conf):
#      - `mmpro --help` (the build stage's smoke test),
#      - `mmpro sim --port 0 --seed 1`: serves; the host reads /time and a book from it,
#      - `mmpro doctor --venue sim --url <that sim>` (REST, L1/L2 auth, the three sockets, Gamma),
#      - `mmpro mm --venue sim --duration <N>s --no-status` with the journal in /app/data,
#        and `mmpro healthcheck` (the HEALTHCHECK command) while it runs,
#      - `mmpro status` and `mmpro cancel-all` against the sim.
#    Prints one line per check and a summary; exit 0 only when every required check passed.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REUSE=0
KEEP=0
MM_SECONDS=10
while [ $# -gt 0 ]; do
  case "$1" in
    --reuse-node-modules) REUSE=1 ;;
    --keep) KEEP=1 ;;
    --mm-seconds) MM_SECONDS="$2"; shift ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "unknown flag $1" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "verify-image: needs root (chroot, mounts)" >&2; exit 2; }

WORK="$(mktemp -d /tmp/mmpro-image.XXXXXX)"
CTX="$WORK/context"; OUT="$WORK/out"; ROOT="$WORK/root"
mkdir -p "$CTX" "$OUT" "$ROOT"
PASS=0; FAIL=0; NOTES=()
ok()   { echo "ok    $*"; PASS=$((PASS + 1)); }
bad()  { echo "FAIL  $*"; FAIL=$((FAIL + 1)); }
note() { echo "note  $*"; NOTES+=("$*"); }
SIM_PID=""; MM_PID=""
cleanup() {
  [ -n "$MM_PID" ] && kill "$MM_PID" 2>/dev/null || true
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null || true
  if [ "$KEEP" = 0 ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi
}
trap cleanup EXIT

# ---- 1. build stage ------------------------------------------------------------------------
DOCKERFILE="$REPO/Dockerfile"
# Instructions of one stage, continuation lines joined.
stage_lines() { # $1 = awk condition selecting the stage
  awk -v want="$1" '
    /^[[:space:]]*#/ { next }
    { line = $0 }
    cont { buf = buf " " line } !cont { buf = line }
    { cont = sub(/\\[[:space:]]*$/, "", buf) }
    !cont && buf != "" {
      if (buf ~ /^FROM /) { stage++; named = (buf ~ / AS build$/) }
      if ((want == "build" && named) || (want == "final" && stage >= 2 && !named)) print buf
      buf = ""
    }' "$DOCKERFILE"
}
echo "== build stage (from $DOCKERFILE)"
while IFS= read -r ins; do
  case "$ins" in
    COPY\ --from*) ;;
    COPY\ *)
      # shellcheck disable=SC2206
      parts=(${ins#COPY })
      dest="${parts[${#parts[@]}-1]}"
      for src in "${parts[@]:0:${#parts[@]}-1}"; do
        if [[ "$dest" == */ ]]; then mkdir -p "$CTX/$dest"; cp -a "$REPO/$src" "$CTX/$dest"; else cp -a "$REPO/$src" "$CTX/$dest"; fi
      done
      echo "  COPY ${parts[*]}"
      ;;
    RUN\ *)
      cmd="${ins#RUN }"
      cmd="${cmd//\/out\//$OUT/}"
      if [ "$REUSE" = 1 ] && [[ "$cmd" == npm\ ci* ]]; then
        ln -s "$REPO/node_modules" "$CTX/node_modules"
        echo "  RUN $cmd  → replaced by a symlink to the checkout's node_modules (--reuse-node-modules)"
        continue
      fi
      echo "  RUN $cmd"
      ( cd "$CTX" && bash -c "$cmd" ) > "$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log"; bad "build stage: $cmd"; exit 1; }
      ;;
  esac
done < <(stage_lines build)
EXE="$OUT/app/mmpro"
[ -x "$EXE" ] || { bad "build stage produced no $EXE"; exit 1; }
ok "compiled $(du -h "$EXE" | cut -f1) executable; build stage smoke test (mmpro --help) passed"

# ---- 2. final-stage root -------------------------------------------------------------------
echo "== final stage root ($ROOT)"
declare -A ENVS=()
RUN_USER="65532:65532"
RUN_WD="/"
while IFS= read -r ins; do
  case "$ins" in
    COPY\ --from=build*)
      # COPY --from=build --chown=U:G SRC DEST
      # shellcheck disable=SC2206
      parts=(${ins})
      src="${parts[${#parts[@]}-2]}"; dest="${parts[${#parts[@]}-1]}"; chown_to=""
      for p in "${parts[@]}"; do [[ "$p" == --chown=* ]] && chown_to="${p#--chown=}"; done
      mkdir -p "$ROOT$(dirname "$dest")"
      cp -a "${src/\/out/$OUT}" "$ROOT$dest"
      [ -n "$chown_to" ] && chown -R "$chown_to" "$ROOT$dest"
      echo "  COPY $src → $dest (owner ${chown_to:-root})"
      ;;
    USER\ *) RUN_USER="${ins#USER }" ;;
    WORKDIR\ *) RUN_WD="${ins#WORKDIR }" ;;
    ENV\ *)
      for kv in ${ins#ENV }; do ENVS["${kv%%=*}"]="${kv#*=}"; done ;;
  esac
done < <(stage_lines final)
# What distroless base-debian12:nonroot brings that the executable uses.
for lib in $(ldd "$EXE" | grep -o '/[^ ]*'); do
  mkdir -p "$ROOT$(dirname "$lib")"; cp -L "$lib" "$ROOT$lib"
done
mkdir -p "$ROOT/etc/ssl/certs" "$ROOT/usr/share" "$ROOT/tmp" "$ROOT/home/nonroot" "$ROOT/proc" "$ROOT/dev"
cp -L /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/"
cp -a /usr/share/zoneinfo "$ROOT/usr/share/"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$ROOT/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' > "$ROOT/etc/group"
printf 'hosts: files dns\n' > "$ROOT/etc/nsswitch.conf"
chmod 1777 "$ROOT/tmp"; chown 65532:65532 "$ROOT/home/nonroot"
for f in etc/hosts etc/resolv.conf dev/null dev/zero dev/random dev/urandom; do : > "$ROOT/$f"; done
LIBS="$(ldd "$EXE" | grep -o '/[^ ]*' | xargs -n1 basename | tr '\n' ' ')"
echo "  base layer: glibc ($LIBS), CA bundle, tzdata, passwd/group (nonroot 65532), nsswitch.conf, /tmp, /home/nonroot"
echo "  files in the root (without zoneinfo): $(find "$ROOT" -type f -not -path '*/zoneinfo/*' | wc -l); no shell: $( [ -e "$ROOT/bin/sh" ] && echo PRESENT || echo absent)"
[ -e "$ROOT/bin/sh" ] && bad "a shell is in the root" || ok "root holds no shell, no bun, no node_modules, no source"

# ---- 3. runs -------------------------------------------------------------------------------
ENV_ARGS=(HOME=/home/nonroot PATH=/app)
for k in "${!ENVS[@]}"; do ENV_ARGS+=("$k=${ENVS[$k]}"); done
# One private mount namespace per run: /proc and a few /dev nodes, as a container runtime adds.
in_image() { # args: command line for /app/mmpro
  unshare --mount --propagation private -- bash -c '
    R="$1"; shift
    mount -t proc proc "$R/proc"
    for d in null zero random urandom; do mount --bind "/dev/$d" "$R/dev/$d"; done
    mount --bind /etc/hosts "$R/etc/hosts"; mount --bind /etc/resolv.conf "$R/etc/resolv.conf"
    user="$1"; wd="$2"; shift 2
    n="$1"; shift
    envs=("${@:1:$n}"); shift "$n"
    # env -i and nsenter are the host'"'"'s: the image gets only the cleared environment, its
    # root, the WORKDIR and the USER (chroot(1) cannot change directory after the chroot).
    exec /usr/bin/env -i "${envs[@]}" /usr/bin/nsenter --root="$R" --wd="$R$wd" -S "${user%%:*}" -G "${user##*:}" "$@"
  ' _ "$ROOT" "$RUN_USER" "$RUN_WD" "${#ENV_ARGS[@]}" "${ENV_ARGS[@]}" "$@"
}

echo "== runs (root $ROOT, WORKDIR $RUN_WD, USER $RUN_USER, ENV ${!ENVS[*]})"
if in_image /app/mmpro --help > "$WORK/help.txt" 2>&1 && grep -q "cancel-all" "$WORK/help.txt"; then ok "mmpro --help in the image root"; else bad "mmpro --help: $(head -3 "$WORK/help.txt")"; fi

# The simulator job.
in_image /app/mmpro sim --port 0 --seed 1 > "$WORK/sim.out" 2> "$WORK/sim.err" &
SIM_PID=$!
for _ in $(seq 1 100); do grep -q '^ws_rtds=' "$WORK/sim.out" 2>/dev/null && break; sleep 0.1; done
REST="$(sed -n 's/^rest=//p' "$WORK/sim.out")"
if [ -n "$REST" ] && curl -fsS "$REST/time" > /dev/null; then
  TOKEN="$(curl -fsS "$REST/gamma/markets?closed=false&limit=1" | grep -o '"clobTokenIds":"\[\\"[0-9]*' | grep -o '[0-9]*$' || true)"
  BOOK="$(curl -fsS "$REST/book?token_id=$TOKEN" | head -c 120)"
  ok "mmpro sim serves on $REST (GET /time ok; book of $TOKEN: ${BOOK:0:60}…)"
else bad "mmpro sim did not serve: $(tail -3 "$WORK/sim.err")"; fi

if [ -n "$REST" ]; then
  if in_image /app/mmpro doctor --venue sim --url "$REST" > "$WORK/doctor.txt" 2>&1; then ok "mmpro doctor against it: $(tail -1 "$WORK/doctor.txt")"
  else bad "mmpro doctor: $(grep -E 'FAIL' "$WORK/doctor.txt" | head -5 | tr '\n' ' ')"; fi
fi

# The market maker, journal in /app/data, healthcheck while it runs.
in_image /app/mmpro mm --venue sim --duration "${MM_SECONDS}s" --no-status --summary-json /app/data/summary.json > "$WORK/mm.out" 2> "$WORK/mm.err" &
MM_PID=$!
sleep $(( MM_SECONDS / 2 > 3 ? MM_SECONDS / 2 : 3 ))
# In WAL mode with autocheckpoint off, the main file only grows when the checkpointer worker
# copies pages into it: still 4096 bytes mid-run means the worker is not running.
MAIN_MID="$(stat -c %s "$ROOT"/app/data/journal-*.sqlite 2>/dev/null | head -1 || echo 0)"
WAL_MID="$(stat -c %s "$ROOT"/app/data/journal-*.sqlite-wal 2>/dev/null | head -1 || echo 0)"
if in_image /app/mmpro healthcheck > "$WORK/health.txt" 2>&1; then ok "HEALTHCHECK (mmpro healthcheck) while mm runs: $(head -c 100 "$WORK/health.txt")"
else note "HEALTHCHECK while mm runs: $(head -c 160 "$WORK/health.txt") — mm serves no /healthz unless it starts the metrics server"; fi
if wait "$MM_PID"; then MM_RC=0; else MM_RC=$?; fi
MM_PID=""
if [ "$MM_RC" = 0 ] && [ -s "$ROOT/app/data/summary.json" ]; then
  ok "mmpro mm --venue sim --duration ${MM_SECONDS}s: exit 0, $(tr -d ' \n' < "$ROOT/app/data/summary.json" | grep -o '"quotesSent":[0-9]*\|"fills":[0-9]*\|"openOrdersAtExit":-\?[0-9]*' | tr '\n' ' ')"
else bad "mmpro mm exit $MM_RC: $(grep -v '^{' "$WORK/mm.err" | tail -5 | tr '\n' ' ')"; fi
if ls "$ROOT"/app/data/journal-*.sqlite > /dev/null 2>&1; then
  ok "journal written by uid 65532: $(ls -ln "$ROOT"/app/data/journal-*.sqlite | awk '{print $3":"$4, $5" bytes", $9}' | sed "s|$ROOT||")"
  if [ "${MAIN_MID:-0}" -gt 4096 ]; then ok "journal checkpointer worker runs in the executable (mid-run: main file ${MAIN_MID} B, WAL ${WAL_MID} B)"
  else bad "journal checkpointer worker did not run in the executable (mid-run: main file ${MAIN_MID:-0} B, WAL ${WAL_MID:-0} B): the WAL grows until shutdown — see docs/docker.md"; fi
else bad "no journal in /app/data: $(grep -i journal "$WORK/mm.err" | head -2)"; fi

if [ -n "$REST" ]; then
  if in_image /app/mmpro status --venue sim --url "$REST" --journal /app/data/none.sqlite > "$WORK/status.txt" 2>&1; then ok "mmpro status against the sim"; else bad "mmpro status: $(tail -2 "$WORK/status.txt")"; fi
  if in_image /app/mmpro cancel-all --venue sim --url "$REST" > "$WORK/cancel.txt" 2>&1; then ok "mmpro cancel-all against the sim: $(tail -1 "$WORK/cancel.txt")"; else bad "mmpro cancel-all: $(tail -2 "$WORK/cancel.txt")"; fi
fi
kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; SIM_PID=""

echo "== $PASS passed, $FAIL failed${NOTES:+, ${#NOTES[@]} note(s)}"
[ "$FAIL" = 0 ]
