import { shJoin } from '../transport/quote.js'
import type { ExecResult } from '../transport/types.js'

/**
 * Several read-only commands as ONE shell script, so a host's upcoming probes cost one round trip.
 * Each command runs in the background with its own output files (they are independent reads;
 * the host runs them side by side), then every result is printed as three lines:
 *
 *   @part INDEX EXIT   base64(stdout)   base64(stderr)
 *
 * Host data (journal lines, a rogue's argv) only ever appears base64-encoded, so nothing a process
 * on the host prints can pose as a part marker; no nonce is needed and none could leak.
 */
const PROLOGUE = `T=$(mktemp -d 2>/dev/null) || { echo '@fail mktemp'; exit 0; }
# GNU and busybox base64 both know -w0; an older one without it would print nothing usable.
base64 -w0 </dev/null >/dev/null 2>&1 || { rm -rf "$T"; echo '@fail base64 -w0'; exit 0; }
trap 'rm -rf "$T"' EXIT`

// Collected in one file and written at once: one burst on the wire, not a packet per line. An
// empty stream (most stderr) costs no base64 process.
const EPILOGUE = (count: number) => `wait
i=0
while [ "$i" -lt ${count} ]; do
  rc=255; read -r rc <"$T/$i.rc" 2>/dev/null
  printf '@part %s %s\\n' "$i" "$rc"
  for stream in out err; do
    [ -s "$T/$i.$stream" ] && base64 -w0 <"$T/$i.$stream"
    echo
  done
  i=$((i + 1))
done >"$T/all"
cat "$T/all"`

function batchScript(commands: readonly (readonly string[])[]): string {
  const parts = commands.map((argv, i) => `(${shJoin(argv)} </dev/null >"$T/${i}.out" 2>"$T/${i}.err"; echo $? >"$T/${i}.rc") &`)
  return [PROLOGUE, ...parts, EPILOGUE(commands.length)].join('\n')
}

/** A part's name as -vv shows it: a tend script's $0 (tend-port), else the program. */
const partName = (argv: readonly string[]): string => (argv[0] === 'sh' && argv[1] === '-c' ? argv[3] ?? 'sh' : argv[0] ?? '?')

/**
 * The batch as one command. The parts' names follow as arguments the script ignores, so -vv says
 * what the round trip carried (`tend-probes tend-show tend-port …`).
 */
export function batchArgv(commands: readonly (readonly string[])[]): readonly string[] {
  return ['sh', '-c', batchScript(commands), 'tend-probes', ...commands.map(partName)]
}

/** Why a batch gave no results; each task then probes on its own, as without batching. */
export class BatchUnusable extends Error {
  constructor(message: string) {
    super(`batched probe unusable: ${message}`)
    this.name = 'BatchUnusable'
  }
}

const decode = (line: string | undefined): string => Buffer.from(line ?? '', 'base64').toString('utf8')

/** The results of batchScript's commands, in order; throws BatchUnusable when any is missing. */
export function parseBatch(result: ExecResult, count: number): ExecResult[] {
  const lines = result.stdout.split('\n')
  const fail = lines.find((line) => line.startsWith('@fail '))
  if (fail !== undefined) throw new BatchUnusable(`${fail.slice('@fail '.length)} is missing on the host`)
  const results: ExecResult[] = []
  for (let at = lines.findIndex((line) => line.startsWith('@part ')); at >= 0 && at < lines.length; at += 3) {
    const match = /^@part (\d+) (\d+)$/.exec(lines[at] ?? '')
    if (match === null || Number(match[1]) !== results.length) break
    results.push({ exitCode: Number(match[2]), stdout: decode(lines[at + 1]), stderr: decode(lines[at + 2]) })
  }
  if (results.length !== count) {
    throw new BatchUnusable(`${results.length} of ${count} results (exit ${result.exitCode}: ${result.stderr.trim().slice(0, 200)})`)
  }
  return results
}

/** How a served result is found again: by the exact argv the probe runs. */
export const argvKey = (argv: readonly string[]): string => JSON.stringify(argv)
