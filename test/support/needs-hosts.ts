/**
 * What a test file needs, read from its imports (its own and those of the helpers it imports):
 * - hosts: it imports test/support/testbed.ts (the booted testbed) or src/testbed/ (hosts it boots
 *   itself; src/testbed/proc.ts, process identity only, does not count);
 * - root: it imports test/support/root.ts (root on this machine, no host: sshd on 127.0.0.1, sudo);
 * - neither: `npm run test:unit` runs it without root.
 * `npm test` runs all: root and unit files at once, side by side with booting the hosts.
 * The rule checks itself: those files run without TEND_TESTBED (testbed() throws), and needsRoot()
 * throws for a user other than root.
 */
import { join, relative } from 'node:path'
import { importEdges } from './import-graph.js'

const TESTBED_HELPER = join('support', 'testbed.ts')
const TESTBED_SOURCES = join('..', 'src', 'testbed') + '/'
const ROOT_HELPER = join('support', 'root.ts')
/** Process identity (pid, start time) for ending what a test started: no host in it. */
const PROCESS_HELPERS = new Set([join('..', 'src', 'testbed', 'proc.ts')])

export interface Needs {
  /** neither hosts nor root */
  readonly unit: string[]
  /** root on this machine, no host */
  readonly root: string[]
  readonly hosts: string[]
}

/** Sorts test files (paths relative to the repository root, e.g. `test/e2e/incident.test.ts`). */
export function sortByNeeds(repo: string, files: readonly string[]): Needs {
  const testDir = join(repo, 'test')
  const next = new Map<string, string[]>()
  for (const { from, to } of importEdges(testDir)) next.set(from, [...(next.get(from) ?? []), to])
  const reached = (file: string): Set<string> => {
    const seen = new Set<string>()
    const todo = [relative(testDir, join(repo, file))]
    while (todo.length > 0) {
      const at = todo.pop() as string
      if (seen.has(at)) continue
      seen.add(at)
      todo.push(...(next.get(at) ?? []))
    }
    return seen
  }
  const needs: Needs = { unit: [], root: [], hosts: [] }
  for (const file of files) {
    const imports = [...reached(file)]
    if (imports.some((f) => f === TESTBED_HELPER || (f.startsWith(TESTBED_SOURCES) && !PROCESS_HELPERS.has(f)))) needs.hosts.push(file)
    else if (imports.includes(ROOT_HELPER)) needs.root.push(file)
    else needs.unit.push(file)
  }
  return needs
}
