/**
 * tend's import graph read from its sources: every static `import … from`, `export … from`, and
 * dynamic `import('…')` (type-only imports included: a type cycle is a cycle a reader walks too).
 * Node's own parser is not needed: tend's sources import with one quote style and relative paths.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'

export interface ImportEdge {
  /** Both relative to src/, e.g. `engine/task.ts`. */
  readonly from: string
  readonly to: string
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'generated' || entry.name === 'static' ? [] : sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

function resolveSpecifier(file: string, specifier: string): string | undefined {
  const target = resolve(dirname(file), specifier)
  const candidates = [target.replace(/\.js$/, '.ts'), target, join(target, 'index.ts')]
  return candidates.find((c) => c.endsWith('.ts') && existsSync(c))
}

export function importEdges(srcDir: string): ImportEdge[] {
  return sourceFiles(srcDir).flatMap((file) => {
    const text = readFileSync(file, 'utf8')
    return [...text.matchAll(IMPORT)].flatMap((m) => {
      const to = resolveSpecifier(file, (m[1] ?? m[2]) as string)
      return to === undefined ? [] : [{ from: relative(srcDir, file), to: relative(srcDir, to) }]
    })
  })
}

/** `engine/task.ts` → `engine`; a file at the top of src/ → `(top)`. */
export function folderOf(path: string): string {
  const parts = path.split(sep)
  return parts.length > 1 ? (parts[0] as string) : '(top)'
}

/** The file cycles (strongly connected components of more than one file, or a file importing itself). */
export function fileCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>()
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to])
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  let counter = 0
  // Iterative Tarjan: the graph is small, but a recursion depth tied to the code base is a trap.
  for (const root of next.keys()) {
    if (index.has(root)) continue
    const work: { node: string; edge: number }[] = [{ node: root, edge: 0 }]
    index.set(root, counter)
    low.set(root, counter++)
    stack.push(root)
    onStack.add(root)
    while (work.length > 0) {
      const frame = work[work.length - 1] as { node: string; edge: number }
      const targets = next.get(frame.node) ?? []
      if (frame.edge < targets.length) {
        const target = targets[frame.edge++] as string
        if (!index.has(target)) {
          index.set(target, counter)
          low.set(target, counter++)
          stack.push(target)
          onStack.add(target)
          work.push({ node: target, edge: 0 })
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(target) as number))
        }
        continue
      }
      work.pop()
      const parent = work[work.length - 1]
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(frame.node) as number))
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = []
        let member: string
        do {
          member = stack.pop() as string
          onStack.delete(member)
          component.push(member)
        } while (member !== frame.node)
        const selfLoop = component.length === 1 && targets.includes(frame.node)
        if (component.length > 1 || selfLoop) cycles.push(component.sort())
      }
    }
  }
  return cycles
}
