#!/bin/bash
# edgeclaw's one command runner: every command and every file operation on a workspace goes through it, run as
# the sandbox's unprivileged user (local: inside bubblewrap; container: after setpriv), so nothing it does on a
# path a command can change carries more privilege than the command itself.
#
#   edgeclaw-runner exec NPROC CPU FSIZE AS NOFILE CWD COMMAND   run COMMAND under those rlimits in CWD
#   edgeclaw-runner dir PATH                                       checks that PATH is a folder inside
#   edgeclaw-runner read PATH MAX | write PATH MAX | list PATH | delete PATH
#   edgeclaw-runner archive                                        gzipped tar of the workspace to stdout
#   edgeclaw-runner extract ARCHIVE MAX_ENTRIES MAX_BYTES          checked extraction into the workspace
#   edgeclaw-runner clean                                          empties the workspace
#
# The workspace is $EDGECLAW_WORKSPACE (default /workspace). Exit codes: 0 ok, 10 outside the workspace,
# 11 not found, 12 too large, 13 bad archive, 14 bad request; messages go to stderr.
set -u
W="${EDGECLAW_WORKSPACE:-/workspace}"
unset EDGECLAW_WORKSPACE
export LC_ALL=C

die() { echo "$2" >&2; exit "$1"; }

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
  [[ $# -eq 7 ]] || die 14 "exec needs NPROC CPU FSIZE AS NOFILE CWD COMMAND"
  cwd=$(confine "$6") || exit $?
  [[ -d "$cwd" ]] || die 11 "no such directory: $6"
  cd -- "$cwd" || die 11 "cannot enter: $6"
  exec prlimit --nproc="$1" --cpu="$2" --fsize="$3" --as="$4" --nofile="$5" -- /bin/bash -c "$7"
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
  target=$(confine "$1") || exit $?
  mkdir -p -- "$(dirname -- "$target")" 2>/dev/null || die 14 "cannot create the folders of: $1"
  target=$(confine "$1") || exit $?
  [[ ! -d "$target" ]] || die 14 "a folder is in the way: $1"
  head -c $(($2 + 1)) >"$target" || die 14 "cannot write: $1"
  size=$(stat -c %s -- "$target")
  ((size <= $2)) || { rm -f -- "$target"; die 12 "the file is over $2 bytes"; }
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
  archive="$1" max_entries="$2" max_bytes="$3"
  listing=$(tar --list --verbose --gzip --numeric-owner --file "$archive" 2>&1) || die 13 "not a readable archive: ${listing:0:200}"
  entries=0 bytes=0
  while IFS= read -r line; do
    [[ -n "$line" ]] || continue
    entries=$((entries + 1))
    ((entries <= max_entries)) || die 13 "more than $max_entries entries"
    case "${line:0:1}" in -|d|l) ;; h) die 13 "hard links are not allowed: ${line:0:120}" ;; *) die 13 "entry type ${line:0:1} is not allowed: ${line:0:120}" ;; esac
    read -r _ _ size _ <<<"$line"
    bytes=$((bytes + size))
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
