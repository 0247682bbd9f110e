#!/bin/bash
# edgeclaw-check-sandbox: the checks only a real container can prove, run inside a deployed session's
# container (scripts/check-container-sandbox.mjs runs it through the service). Prints one line per check,
# "ok <name>" or "FAIL <name>: <detail>"; exits non-zero if any failed.
set -u
fail=0
check() { if eval "$2" >/dev/null 2>&1; then echo "ok $1"; else echo "FAIL $1"; fail=1; fi; }
run() { unshare --pid --fork --kill-child --mount-proc --net setpriv --reuid=1000 --regid=1000 --clear-groups \
  --inh-caps=-all --no-new-privs env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/workspace \
  bash /usr/local/bin/edgeclaw-runner exec 64 60 104857600 1073741824 256 . "$1"; }

check "the tools the runner needs are in the image" "command -v unshare setpriv prlimit flock timeout tar realpath"
check "commands run as uid 1000" '[ "$(run "id -u")" = 1000 ]'
check "commands have no capabilities" '[ "$(run "grep CapEff /proc/self/status" | tr -d "[:space:]")" = CapEff:0000000000000000 ]'
check "commands see only their own processes" '[ "$(run "ls /proc | grep -c ^[0-9]")" -le 4 ]'
check "commands have no network interface but lo" '[ "$(run "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d \" \"")" = lo ]'
check "the staging folder is root-only" '[ "$(stat -c %a:%u /run/edgeclaw)" = 700:0 ]'
check "the process limit holds" '! run ":(){ :|:& };:; sleep 1; ps -e | wc -l" | grep -qE "^[0-9]{3,}$"'
# The container's own egress (enableInternet=false): root in the container, outside our network namespace.
check "the container itself has no internet" '! timeout 5 bash -c "exec 3<>/dev/tcp/1.1.1.1/80"'
check "the container cannot resolve or reach example.com" '! timeout 5 curl -sS -o /dev/null https://example.com'
exit "$fail"
