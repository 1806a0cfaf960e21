# The floor: the api-recover desired state checked (and, after an incident, restored) in ONE ssh
# round trip. Runs under the host's login shell (bash) as root; the caller prepends the parameters
#   unit port routes since stable grace
# as shell assignments. Prints "changed: …" for what it changed; exits 1 with the reason on failure.
fail() { echo "FAIL: $*"; exit 1; }
prop() { systemctl show -P "$1" "$unit"; }
listeners() { ss -ltnpH "sport = :$port" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u; }
in_unit() { grep -q "/$unit\$" "/proc/$1/cgroup" 2>/dev/null; }
rogues() { for p in $(listeners); do in_unit "$p" || echo "$p"; done; }
owned() { for p in $(listeners); do in_unit "$p" && return 0; done; return 1; }
gone() { for p in "$@"; do [ -e "/proc/$p" ] && return 1; done; return 0; }

[ "$(prop UnitFileState)" = enabled ] || systemctl enable -q "$unit" || fail "cannot enable $unit"
r=$(rogues)
if [ -n "$r" ]; then
  kill -TERM $r 2>/dev/null
  for _ in $(seq $((grace * 10))); do gone $r && break; sleep 0.1; done
  gone $r || kill -KILL $r 2>/dev/null
  systemctl reset-failed "$unit" 2>/dev/null
  systemctl restart "$unit" || fail "cannot restart $unit"
  echo "changed: evicted $r from :$port, restarted $unit"
fi
[ "$(prop ActiveState)" = active ] || systemctl start "$unit" || fail "cannot start $unit"
for _ in $(seq 300); do owned && [ -z "$(rogues)" ] && break; sleep 0.1; done
owned && [ -z "$(rogues)" ] || fail ":$port not owned by $unit"

status_of() {
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$1" >&3
  read -r _ code _ <&3
  exec 3<&-
  echo "$code"
}
for route in $routes; do
  for _ in $(seq 300); do [ "$(status_of "$route" 2>/dev/null)" = 200 ] && continue 2; sleep 0.1; done
  fail "$route does not answer 200"
done

# The unit's current run (its invocation) since this run started: the lines a looping predecessor
# printed before the rogue was evicted are the incident itself, not news.
journalctl _SYSTEMD_INVOCATION_ID="$(prop InvocationID)" --since "@$since" --no-pager -o cat \
  | grep -qE 'Errno 98|Address already in use|EADDRINUSE' && fail "bind errors in the journal since @$since"

restarts=$(prop NRestarts); main=$(prop MainPID)
age=$(( ($(awk '{printf "%.0f", $1 * 1000000}' /proc/uptime) - $(prop ActiveEnterTimestampMonotonic)) / 1000000 ))
[ "$age" -lt "$stable" ] && sleep $((stable - age))
[ "$(prop ActiveState)" = active ] && [ "$(prop NRestarts)" = "$restarts" ] && [ "$(prop MainPID)" = "$main" ] \
  || fail "$unit restarted within $stable s"
exit 0
