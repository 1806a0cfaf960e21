#!/bin/bash
# The floor's controller: one OpenSSH process per host running check.sh in one round trip, at most
# FORKS at once. Usage: run.sh TARGETS.tsv FORKS STABLE_SECONDS GRACE_SECONDS
# TARGETS.tsv columns: name address ssh_port user key_file known_hosts unit port routes(space-separated)
set -u
targets=$1 forks=$2 stable=$3 grace=$4
script=$(cat "$(dirname "$0")/check.sh")
since=$(date +%s)

check_host() {
  local name=$1 address=$2 ssh_port=$3 user=$4 key=$5 known=$6 unit=$7 port=$8 routes=$9 params out
  printf -v params 'unit=%q port=%q routes=%q since=%q stable=%q grace=%q\n' \
    "$unit" "$port" "$routes" "$since" "$stable" "$grace"
  out=$(ssh -F /dev/null -o BatchMode=yes -o ControlMaster=no -o ControlPath=none -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$known" -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o ConnectTimeout=10 -i "$key" \
    -p "$ssh_port" -l "$user" "$address" "$params$script" 2>&1) || { echo "$name: $out" >&2; return 1; }
  [ -z "$out" ] || printf '%s\n' "$out" | sed "s/^/$name: /"
}

failed=0 running=0
while IFS=$'\t' read -r name address ssh_port user key known unit port routes; do
  if [ "$running" -ge "$forks" ]; then wait -n || failed=1; running=$((running - 1)); fi
  check_host "$name" "$address" "$ssh_port" "$user" "$key" "$known" "$unit" "$port" "$routes" &
  running=$((running + 1))
done < "$targets"
while [ "$running" -gt 0 ]; do wait -n || failed=1; running=$((running - 1)); done
exit "$failed"
