import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Where the incident app and its unit live on every host. The unit file sits under
 *  /usr/local/lib so that `systemctl mask` (a symlink in /etc/systemd/system) works on it. */
export const APP_PATH = '/opt/scidex/scidex_app.py'
export const UNIT_NAME = 'scidex-api.service'
export const UNIT_PATH = `/usr/local/lib/systemd/system/${UNIT_NAME}`
export const UNIT_WANTS_LINK = `/etc/systemd/system/multi-user.target.wants/${UNIT_NAME}`
/** The app's code directory (what `fresh` watches) and the release file the app reads at start. */
export const APP_DIR = '/opt/scidex'
export const RELEASE_PATH = `${APP_DIR}/RELEASE`
export const BASELINE_RELEASE = '1'
export const FAIL_ROUTE_FILE = '/var/lib/scidex-api/fail-route'
export const APP_PORT = 8000
export const ROUTES = ['/', '/exchange', '/gaps', '/graph', '/analyses', '/atlas',
  '/how.html', '/pitch.html', '/trem2-3d.html', '/atlas.html'] as const

export const appSource = (): string =>
  readFileSync(fileURLToPath(new URL('./app/scidex_app.py', import.meta.url)), 'utf8')

export const unitText = (): string => `[Unit]
Description=SciDEX API (tend's incident application)
After=network.target

[Service]
ExecStart=/usr/bin/python3 ${APP_PATH}
Restart=always
RestartSec=1

[Install]
WantedBy=multi-user.target
`

/** Units of the machine that must not start once per host (slow, failing, or pointless there). */
export const MASKED_UNITS = [
  'postgresql.service', 'apt-daily.timer', 'apt-daily-upgrade.timer', 'man-db.timer',
  'e2scrub_all.timer', 'e2scrub_reap.service', 'fstrim.timer', 'dpkg-db-backup.timer',
  'getty@tty1.service', 'systemd-timesyncd.service', 'systemd-pstore.service',
  // scripts/setup installs redis-server and prometheus (the queue's and the metrics' tests run their
  // own on loopback) and chromium
  'redis-server.service', 'prometheus.service',
] as const

export const sshdDropIn = (port: number): string => `# written by tend's testbed
Port ${port}
HostKey /etc/ssh/ssh_host_ed25519_key
HostKey /etc/ssh/ssh_host_ecdsa_key
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
`

export const sudoersText = `tend ALL=(ALL:ALL) NOPASSWD: ALL
tendpw ALL=(ALL:ALL) ALL
`

/** Test users beside root; both accept the testbed's client key. */
export const USERS = [
  { name: 'tend', uid: 2901 },
  { name: 'tendpw', uid: 2902 },
] as const
