/**
 * For a test file that needs root on this machine but no test host (a real sshd on 127.0.0.1
 * logging in as root, `sudo -n` to another user). Calling `needsRoot` is the declaration
 * test/support/needs-hosts.ts reads: `npm test` runs the file, `npm run test:unit` leaves it out.
 */
export function needsRoot(why: string): void {
  if (process.getuid?.() !== 0) throw new Error(`needs root (${why}): \`npm test\` runs this file as root, \`npm run test:unit\` leaves it out`)
}
