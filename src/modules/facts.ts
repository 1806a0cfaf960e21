/**
 * `gather_facts: true`: a small, fixed fact set read in one command (one round trip), under
 * Ansible's names. tend's default is false, unlike Ansible's: most runbooks need no facts, and
 * Ansible's full setup costs seconds per host. The set (documented in the README):
 * ansible_hostname, ansible_nodename, ansible_fqdn, ansible_system, ansible_kernel,
 * ansible_architecture, ansible_os_family, ansible_distribution, ansible_distribution_version,
 * ansible_distribution_major_version, ansible_distribution_release, ansible_processor_vcpus,
 * ansible_processor_nproc, ansible_memtotal_mb, ansible_default_ipv4 {address, interface,
 * gateway}, ansible_service_mgr, ansible_systemd {version}; also as ansible_facts.<name without ansible_>.
 */
import type { Module } from './types.js'
import { ProbeError } from '../errors.js'

export const FACT_NAMES: readonly string[] = [
  'ansible_facts', 'ansible_hostname', 'ansible_nodename', 'ansible_fqdn', 'ansible_system', 'ansible_kernel',
  'ansible_architecture', 'ansible_os_family', 'ansible_distribution', 'ansible_distribution_version',
  'ansible_distribution_major_version', 'ansible_distribution_release', 'ansible_processor_vcpus',
  'ansible_processor_nproc', 'ansible_memtotal_mb', 'ansible_default_ipv4', 'ansible_service_mgr', 'ansible_systemd',
]

// One POSIX sh script; each line `key=value`. Nothing from the host is ever rendered as a template.
const SCRIPT = `
echo "hostname=$(hostname -s 2>/dev/null || hostname)"
echo "nodename=$(uname -n)"
echo "fqdn=$(hostname -f 2>/dev/null || hostname)"
echo "system=$(uname -s)"
echo "kernel=$(uname -r)"
echo "machine=$(uname -m)"
echo "nproc=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)"
echo "memtotal_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"
if [ -r /etc/os-release ]; then . /etc/os-release; fi
echo "os_id=\${ID:-}"
echo "os_like=\${ID_LIKE:-}"
echo "os_version=\${VERSION_ID:-}"
echo "os_codename=\${VERSION_CODENAME:-}"
echo "os_name=\${NAME:-}"
[ -r /etc/debian_version ] && echo "debian_version=$(cat /etc/debian_version)"
route=$(ip -4 route show default 2>/dev/null | head -n1)
echo "gateway=$(echo "$route" | awk '{for (i=1;i<NF;i++) if ($i=="via") print $(i+1)}')"
dev=$(echo "$route" | awk '{for (i=1;i<NF;i++) if ($i=="dev") print $(i+1)}')
[ -z "$dev" ] && dev=$(ip -4 -o addr show scope global 2>/dev/null | awk 'NR==1 {print $2}')
echo "interface=$dev"
[ -n "$dev" ] && echo "address=$(ip -4 -o addr show dev "$dev" scope global 2>/dev/null | awk 'NR==1 {split($4,a,"/"); print a[1]}')"
echo "init=$(cat /proc/1/comm 2>/dev/null)"
echo "systemd=$(systemctl --version 2>/dev/null | awk 'NR==1 {print $2}')"
`

const FAMILIES: Readonly<Record<string, string>> = {
  debian: 'Debian', ubuntu: 'Debian', raspbian: 'Debian', linuxmint: 'Debian',
  rhel: 'RedHat', centos: 'RedHat', fedora: 'RedHat', rocky: 'RedHat', almalinux: 'RedHat', ol: 'RedHat', amzn: 'RedHat',
  sles: 'Suse', opensuse: 'Suse', 'opensuse-leap': 'Suse', arch: 'Archlinux', alpine: 'Alpine', gentoo: 'Gentoo',
}
const DISTRIBUTIONS: Readonly<Record<string, string>> = {
  debian: 'Debian', ubuntu: 'Ubuntu', centos: 'CentOS', rhel: 'RedHat', fedora: 'Fedora', rocky: 'Rocky',
  almalinux: 'AlmaLinux', alpine: 'Alpine', arch: 'Archlinux', amzn: 'Amazon', sles: 'SLES', opensuse: 'openSUSE',
}

/** The facts from the script's `key=value` lines (pure, tested on captured output). */
export function parseFacts(stdout: string): Record<string, unknown> {
  const raw: Record<string, string> = {}
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) raw[line.slice(0, eq)] = line.slice(eq + 1).trim()
  }
  const id = raw.os_id ?? ''
  // Ansible reads Debian's point release from /etc/debian_version ("12.5"), others from os-release.
  const version = id === 'debian' && /^\d/.test(raw.debian_version ?? '') ? raw.debian_version! : raw.os_version ?? ''
  const nproc = Number(raw.nproc)
  return {
    ansible_hostname: raw.hostname ?? '',
    ansible_nodename: raw.nodename ?? '',
    ansible_fqdn: raw.fqdn ?? '',
    ansible_system: raw.system ?? '',
    ansible_kernel: raw.kernel ?? '',
    ansible_architecture: raw.machine ?? '',
    ansible_os_family: FAMILIES[id] ?? FAMILIES[(raw.os_like ?? '').split(' ')[0] ?? ''] ?? (raw.os_name || 'Linux'),
    ansible_distribution: DISTRIBUTIONS[id] ?? (raw.os_name || id),
    ansible_distribution_version: version,
    ansible_distribution_major_version: version.split('.')[0] ?? '',
    ansible_distribution_release: raw.os_codename ?? '',
    ansible_processor_vcpus: nproc,
    ansible_processor_nproc: nproc,
    ansible_memtotal_mb: Math.floor(Number(raw.memtotal_kb ?? 0) / 1024),
    ansible_default_ipv4: { address: raw.address ?? '', interface: raw.interface ?? '', gateway: raw.gateway ?? '' },
    ansible_service_mgr: raw.init === 'systemd' ? 'systemd' : raw.init ?? '',
    ansible_systemd: { version: raw.systemd ? Number(raw.systemd) : null },
  }
}

const FACTS_ARGV = ['/bin/sh', '-c', SCRIPT]

export const facts: Module<Record<string, never>, Record<string, unknown>> = {
  kind: 'facts',
  schema: { type: 'object', additionalProperties: false, properties: {} },
  description: 'Gathers tend\'s small fact set (what `gather_facts: true` runs first); read-only.',
  probeAhead: () => ({ commands: [FACTS_ARGV] }),
  async probe(ctx) {
    const result = await ctx.run(FACTS_ARGV)
    if (result.exitCode !== 0) throw new ProbeError(`gathering facts failed (exit ${result.exitCode}): ${result.stderr.trim()}`)
    return parseFacts(result.stdout)
  },
  diff: () => [],
  apply: async () => undefined,
  facts: (observed) => ({ ansible_facts: observed }),
}
