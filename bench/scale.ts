import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { parse, stringify } from 'yaml'
import { mustOnHost, type BenchHost } from './hosts.js'
import type { BenchTarget } from './targets.js'

/** Ports of the template units: api@PORT.service listens on PORT. */
export const FIRST_SCALE_PORT = 9000

/**
 * The cheapest real listener we found per unit: perl with only Socket (≈1.7 MB private memory,
 * ≈7 MB RSS, ~2 ms to start) against python3 -m http.server (≈15 MB). A unit per port keeps the
 * port module's question real: is the listener in THIS unit's cgroup? (Socket activation would
 * put the listening socket in PID 1, which is not the unit.)
 */
const SERVER = `use Socket;
socket(S, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
setsockopt(S, SOL_SOCKET, SO_REUSEADDR, 1);
bind(S, sockaddr_in($ARGV[0], INADDR_ANY)) or die "bind :$ARGV[0]: $!\\n";
listen(S, 128) or die "listen: $!";
while (accept(C, S)) {
  sysread(C, my $request, 4096);
  syswrite(C, "HTTP/1.0 200 OK\\r\\nContent-Length: 3\\r\\nConnection: close\\r\\n\\r\\nok\\n");
  close C;
}
`

const UNIT = `[Unit]
Description=tend bench api on :%i

[Service]
ExecStart=/usr/bin/perl /usr/local/lib/tend-bench/api.pl %i
Restart=always
RestartSec=1
`

/** Many connections to one sshd at once: the default MaxStartups (10:30:100) drops some at random. */
const SSHD = `MaxStartups 4000:30:8000
MaxSessions 500
`

/** Installs and starts `perHost` template units on each host; returns one inventory entry per unit. */
export async function installScaleUnits(hosts: readonly BenchHost[], perHost: number): Promise<void> {
  const last = FIRST_SCALE_PORT + perHost - 1
  const script = `set -e
mkdir -p /usr/local/lib/tend-bench
cat > /usr/local/lib/tend-bench/api.pl <<'PERL'
${SERVER}PERL
cat > /etc/systemd/system/api@.service <<'UNIT'
${UNIT}UNIT
cat > /etc/ssh/sshd_config.d/zz-tend-bench.conf <<'SSHD'
${SSHD}SSHD
systemctl reload ssh
systemctl daemon-reload
systemctl start $(seq -f 'api@%g.service' ${FIRST_SCALE_PORT} ${last})
for i in $(seq 100); do
  [ "$(ss -ltnH "( sport >= :${FIRST_SCALE_PORT} and sport <= :${last} )" | wc -l)" -ge ${perHost} ] && exit 0
  sleep 0.1
done
echo "not all ${perHost} api@ units listen" >&2; exit 1
`
  await Promise.all(hosts.map((h) => mustOnHost(h, script, 300_000)))
}

/** `count` inventory entries spread evenly over the real hosts, each naming its own unit and port. */
export function scaleTargets(hosts: readonly BenchHost[], count: number): BenchTarget[] {
  const targets: BenchTarget[] = []
  for (let i = 0; i < count; i++) {
    const host = hosts[i % hosts.length]!
    const port = FIRST_SCALE_PORT + Math.floor(i / hosts.length)
    targets.push({
      name: `${host.name}-api${port}`, address: host.address, sshPort: host.port, user: 'root',
      keyFile: host.keyFile, knownHostsFile: host.knownHostsFile,
      service: { unit: `api@${port}.service`, port, routes: ['/'] },
    })
  }
  return targets
}

/**
 * A copy of a playbook whose plays no longer set the per-entry parameters, so each inventory
 * entry's own unit/port/routes apply (play vars outrank inventory vars, in Ansible and in tend).
 */
export async function perEntryPlaybook(file: string, dir: string, keys: readonly string[]): Promise<string> {
  const plays = parse(await readFile(file, 'utf8')) as Array<{ vars?: Record<string, unknown> }>
  for (const play of plays) for (const key of keys) delete play.vars?.[key]
  await mkdir(dir, { recursive: true })
  const out = join(dir, basename(file))
  await writeFile(out, stringify(plays))
  return out
}
