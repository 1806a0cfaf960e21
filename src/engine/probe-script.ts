import { shJoin } from '../transport/quote.js'
import type { ExecResult } from '../transport/types.js'

/**
 * Several read-only commands as ONE shell script, so a host's upcoming probes cost one round trip.
 * Each command runs in the background with its stdout and stderr in files of a private temporary
 * directory (they are independent reads: the host runs them side by side). Then three lines:
 *
 *   @rc EXIT…          every command's exit status, from `wait PID` (a builtin)
 *   @sizes BYTES…      wc -c of out0 err0 out1 err1 …, in that order, then their total
 *   @data BASE64       all those files, concatenated, base64-encoded once
 *
 * The controller cuts the decoded bytes by the sizes. Host data (journal lines, a rogue's argv)
 * only appears inside the base64 line, so nothing a process on the host prints can pose as a
 * marker; no nonce is needed and none could leak. Five processes whatever the number of parts
 * (mktemp, wc, cat, base64, rm): at 1,000 entries the hosts' forks are what the batch costs.
 */
const PROLOGUE = `T=$(mktemp -d 2>/dev/null) || { echo '@fail mktemp'; exit 0; }
trap 'rm -rf "$T"' EXIT
# GNU and busybox base64 both know -w0; an older one without it would print nothing usable.
base64 -w0 </dev/null >/dev/null 2>&1 || { echo '@fail base64 -w0'; exit 0; }`

function epilogue(count: number): string {
  const files = Array.from({ length: count }, (_, i) => `"$T/${i}.out" "$T/${i}.err"`).join(' ')
  const waits = Array.from({ length: count }, (_, i) => `wait "$p${i}"; rc="$rc $?"`).join('\n')
  return `rc=
${waits}
{
  echo "@rc$rc"
  echo "@sizes $(wc -c ${files} | while read -r n _; do printf '%s ' "$n"; done)"
  printf '@data '; cat ${files} | base64 -w0; echo
} >"$T/answer"
cat "$T/answer"`
}

function batchScript(commands: readonly (readonly string[])[]): string {
  const parts = commands.map((argv, i) => `${shJoin(argv)} </dev/null >"$T/${i}.out" 2>"$T/${i}.err" & p${i}=$!`)
  return [PROLOGUE, ...parts, epilogue(commands.length)].join('\n')
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

function numbersAfter(lines: readonly string[], marker: string): number[] | undefined {
  const line = lines.find((l) => l.startsWith(`${marker} `) || l === marker)
  if (line === undefined) return undefined
  const words = line.slice(marker.length).trim().split(/\s+/).filter((w) => w !== '')
  return words.every((w) => /^\d+$/.test(w)) ? words.map(Number) : undefined
}

/** The results of batchArgv's commands, in order; throws BatchUnusable when any is missing. */
export function parseBatch(result: ExecResult, count: number): ExecResult[] {
  const lines = result.stdout.split('\n')
  const fail = lines.find((line) => line.startsWith('@fail '))
  if (fail !== undefined) throw new BatchUnusable(`${fail.slice('@fail '.length)} is missing on the host`)
  const codes = numbersAfter(lines, '@rc')
  const counted = numbersAfter(lines, '@sizes') ?? []
  const sizes = counted.slice(0, 2 * count)
  const total = counted[2 * count]
  const data = lines.find((line) => line.startsWith('@data '))
  const bytes = data === undefined ? undefined : Buffer.from(data.slice('@data '.length), 'base64')
  if (codes?.length !== count || sizes.length !== 2 * count || bytes === undefined || bytes.length !== total) {
    throw new BatchUnusable(`an incomplete answer (exit ${result.exitCode}: ${result.stderr.trim().slice(0, 200)})`)
  }
  let at = 0
  const next = (size: number): string => bytes.subarray(at, (at += size)).toString('utf8')
  return codes.map((exitCode, i) => ({ exitCode, stdout: next(sizes[2 * i] as number), stderr: next(sizes[2 * i + 1] as number) }))
}

/** How a served result is found again: by the exact argv the probe runs. */
export const argvKey = (argv: readonly string[]): string => JSON.stringify(argv)
