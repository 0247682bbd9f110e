#!/bin/bash
# edgeclaw's one command runner: every command and every file operation on a workspace goes through it, run as
# the sandbox's unprivileged user (local: inside bubblewrap; container: after setpriv), so nothing it does on a
# path a command can change carries more privilege than the command itself.
#
#   edgeclaw-runner exec NPROC CPU FSIZE AS NOFILE BOUND CWD COMMAND  run COMMAND under those rlimits in CWD,
#                                                                     stopped if the workspace passes BOUND bytes
#   edgeclaw-runner dir PATH                                          checks that PATH is a folder inside
#   edgeclaw-runner read PATH MAX | write PATH MAX BOUND | list PATH | delete PATH
#   edgeclaw-runner usage                                             bytes the workspace takes, to stdout
#   edgeclaw-runner archive                                           gzipped tar of the workspace to stdout
#   edgeclaw-runner extract ARCHIVE MAX_ENTRIES MAX_BYTES BOUND       checked extraction into the workspace
#   edgeclaw-runner clean                                             empties the workspace
#
# The workspace is $EDGECLAW_WORKSPACE (default /workspace). Exit codes: 0 ok, 10 outside the workspace,
# 11 not found, 12 too large, 13 bad archive, 14 bad request, 16 workspace full; messages go to stderr.
set -u
W="${EDGECLAW_WORKSPACE:-/workspace}"
unset EDGECLAW_WORKSPACE
export LC_ALL=C

die() { echo "$2" >&2; exit "$1"; }

# What a command stopped at the workspace's bound prints last on stderr (sandbox/types.ts has the same text).
FULL_MARKER="[edgeclaw: the workspace passed its size bound; the command was stopped. Delete files to make room.]"
# Seconds between two measurements while a command runs: with the measurement's own time, the overshoot window.
WATCH_SECONDS=0.2

# The bytes the workspace takes: every file, folder and link once (hard links once), at the larger of its
# size and its allocated blocks (a sparse file counts at its full size, as a restore would write it), plus the
# files on the workspace's filesystem that were deleted but are still held open by a process of this sandbox.
# Folders a command made unreadable are made readable again first; a workspace that cannot be measured fails.
measure() {
  local dev
  dev=$(stat -c %d -- "$W") || return 1
  {
    find "$W" -xdev -printf '%D:%i %s %b\n' || return 1
    find -L /proc/[0-9]*/fd -mindepth 1 -maxdepth 1 -type f -links 0 -printf '%D:%i %s %b\n' 2>/dev/null
  } | awk -v dev="$dev" '
    { split($1, id, ":") }
    id[1] == dev && !seen[$1]++ { b = $3 * 512; total += ($2 > b ? $2 : b) }
    END { printf "%d\n", total }'
}
usage() {
  local bytes
  if bytes=$(measure 2>/dev/null) && [[ -n "$bytes" ]]; then printf '%s' "$bytes"; return 0; fi
  chmod -R u+rwX -- "$W" 2>/dev/null
  bytes=$(measure 2>/dev/null) && [[ -n "$bytes" ]] && printf '%s' "$bytes"
}

# The real path of workspace path $1, which must stay inside the workspace (symlinks resolved here, as the
# unprivileged user: a link that leads out is refused, and a race can only reach what this user may).
confine() {
  case "$1" in /*) die 10 "absolute paths are refused: $1" ;; esac
  local real
  real=$(realpath -m -- "$W/$1") || die 10 "the path cannot be resolved: $1"
  [[ "$real" == "$W" || "$real" == "$W/"* ]] || die 10 "the path leaves the workspace: $1"
  printf '%s' "$real"
}

op="${1:-}"
shift || true
case "$op" in
exec)
  [[ $# -eq 8 ]] || die 14 "exec needs NPROC CPU FSIZE AS NOFILE BOUND CWD COMMAND"
  cwd=$(confine "$7") || exit $?
  [[ -d "$cwd" ]] || die 11 "no such directory: $7"
  # No file may grow past the room the workspace has left (RLIMIT_FSIZE); the measurements below catch many files.
  used=$(usage) || die 16 "the workspace cannot be measured"
  room=$(($6 - used)) fsize=$3
  ((room >= fsize)) || fsize=$((room > 0 ? room : 0))
  cd -- "$cwd" || die 11 "cannot enter: $7"
  # The command's exit status comes back through a pipe (its output goes straight to ours); between two
  # measurements the runner waits on that pipe, so a command that ends is reported at once.
  exec 3>&1
  exec {ended}< <(prlimit --nproc="$1" --cpu="$2" --fsize="$fsize" --as="$4" --nofile="$5" -- /bin/bash -c "$8" >&3 3>&-
    echo "$?")
  exec 3>&-
  while :; do
    read -r -t "$WATCH_SECONDS" status <&"$ended"
    got=$?
    ((got != 0)) || exit "$status"
    ((got > 128)) || break # the pipe closed without a status: something killed the command's watcher
    # A measurement that fails now (a fork bomb can leave no process to measure with) is tried again at the
    # next interval: it is not a full workspace, and the command's wall-clock limit still ends it.
    bytes=$(usage) || continue
    ((bytes <= $6)) || break
  done
  # Past the bound (or unwatched): every process of this sandbox but this one stops (the sandbox's PID
  # namespace is its own).
  kill -KILL -1 2>/dev/null
  echo "$FULL_MARKER" >&2
  exit 153 # 128 + SIGXFSZ, as for a single file stopped at the room left
  ;;
usage)
  usage || die 16 "the workspace cannot be measured"
  echo
  ;;
dir)
  target=$(confine "$1") || exit $?
  [[ -d "$target" ]] || die 11 "no such directory: $1"
  ;;
read)
  target=$(confine "$1") || exit $?
  [[ -e "$target" ]] || die 11 "no such file: $1"
  [[ -f "$target" ]] || die 14 "not a file: $1"
  size=$(stat -c %s -- "$target")
  ((size <= $2)) || die 12 "the file is over $2 bytes"
  exec head -c "$2" -- "$target"
  ;;
write)
  # The bytes land in a new file beside the target and replace it only when complete and within both bounds,
  # the file's (MAX) and the room the workspace has left (BOUND less what it takes, the old file excepted).
  [[ $# -eq 3 ]] || die 14 "write needs PATH MAX BOUND"
  target=$(confine "$1") || exit $?
  mkdir -p -- "$(dirname -- "$target")" 2>/dev/null || die 14 "cannot create the folders of: $1"
  target=$(confine "$1") || exit $?
  [[ ! -d "$target" ]] || die 14 "a folder is in the way: $1"
  old=0
  if [[ -f "$target" ]]; then read -r size blocks < <(stat -c '%s %b' -- "$target"); old=$((size > blocks * 512 ? size : blocks * 512)); fi
  used=$(usage) || die 16 "the workspace cannot be measured"
  room=$(($3 - used + old)) limit=$2
  ((room >= limit)) || limit=$((room > 0 ? room : 0))
  part="$(dirname -- "$target")/.edgeclaw-write-$$"
  head -c $((limit + 1)) >"$part" || { rm -f -- "$part"; die 14 "cannot write: $1"; }
  size=$(stat -c %s -- "$part")
  if ((size > limit)); then
    rm -f -- "$part"
    ((limit < $2)) && die 16 "the workspace is full: its bound is $3 bytes and $used are taken; nothing was changed"
    die 12 "the file is over $2 bytes"
  fi
  mv -f -- "$part" "$target" || { rm -f -- "$part"; die 14 "cannot write: $1"; }
  ;;
list)
  target=$(confine "$1") || exit $?
  [[ -d "$target" ]] || die 11 "no such folder: $1"
  exec find "$target" -mindepth 1 -maxdepth 1 -printf '%y\t%s\t%f\0'
  ;;
delete)
  # The name itself is removed (a symlink, not what it points to), in its confined parent folder.
  target=$(confine "$1") || exit $?
  if [[ "$target" == "$W" ]]; then find "$W" -mindepth 1 -delete; exit 0; fi
  parent=$(confine "$(dirname -- "$1")") || exit $?
  name=$(basename -- "$1")
  [[ -e "$parent/$name" || -L "$parent/$name" ]] || die 11 "no such file: $1"
  rm -rf -- "${parent:?}/$name"
  ;;
archive)
  # gzip -1: the archive is for restoring, and speed matters more than size (most bulk is incompressible).
  set -o pipefail
  tar --create --file=- --directory "$W" --numeric-owner . | gzip -1
  ;;
extract)
  [[ $# -eq 4 ]] || die 14 "extract needs ARCHIVE MAX_ENTRIES MAX_BYTES BOUND"
  archive="$1" max_entries="$2" max_bytes="$3" bound="$4"
  listing=$(tar --list --verbose --gzip --numeric-owner --file "$archive" 2>&1) || die 13 "not a readable archive: ${listing:0:200}"
  entries=0 bytes=0
  while IFS= read -r line; do
    [[ -n "$line" ]] || continue
    entries=$((entries + 1))
    ((entries <= max_entries)) || die 13 "more than $max_entries entries"
    case "${line:0:1}" in -|d|l) ;; h) die 13 "hard links are not allowed: ${line:0:120}" ;; *) die 13 "entry type ${line:0:1} is not allowed: ${line:0:120}" ;; esac
    read -r _ _ size _ <<<"$line"
    bytes=$((bytes + size))
    ((bytes <= bound)) || die 16 "the archive unpacks to more than the workspace's bound of $bound bytes; nothing was changed"
    ((bytes <= max_bytes)) || die 13 "the archive unpacks to more than $max_bytes bytes"
  done <<<"$listing"
  while IFS= read -r -d '' name; do
    case "/$name/" in */../*) die 13 "entry leaves the workspace: $name" ;; esac
    [[ "$name" != /* ]] || die 13 "entry leaves the workspace: $name"
  done < <(tar --list --gzip --null --file "$archive" 2>/dev/null | tr '\n' '\0')
  out=$(tar --extract --gzip --file "$archive" --directory "$W" --no-same-owner --no-same-permissions \
    --no-overwrite-dir --delay-directory-restore 2>&1) || die 13 "extraction failed: ${out:0:200}"
  # Every symlink, chains included, must resolve inside the tree; anything else found is refused too.
  while IFS= read -r -d '' link; do
    real=$(realpath -m -- "$link")
    [[ "$real" == "$W" || "$real" == "$W/"* ]] || die 13 "symlink leaves the workspace: ${link#"$W"/}"
    case "$(readlink -- "$link")" in /*) die 13 "absolute symlink: ${link#"$W"/}" ;; esac
  done < <(find "$W" -type l -print0)
  odd=$(find "$W" -mindepth 1 ! -type f ! -type d ! -type l -print -quit)
  [[ -z "$odd" ]] || die 13 "not a file, folder or symlink: ${odd#"$W"/}"
  links=$(find "$W" -type f -links +1 -print -quit)
  [[ -z "$links" ]] || die 13 "hard links are not allowed: ${links#"$W"/}"
  ;;
clean)
  chmod -R u+rwx -- "$W" 2>/dev/null
  find "$W" -mindepth 1 -delete 2>/dev/null
  [[ -z "$(find "$W" -mindepth 1 -print -quit)" ]] || die 14 "the workspace could not be emptied"
  ;;
*)
  die 14 "unknown operation: $op"
  ;;
esac
