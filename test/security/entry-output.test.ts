/**
 * Host output on the local transport (the host is this machine): every payload, controller path
 * and environment name, printed by a command and used as registered output, is plain text where
 * it is shown and refused where it would name a controller file. entry-host.test.ts does the
 * same over ssh.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { assertNoFindings, line, runBatch } from './batch.js'
import { assertHostOutputAsData, decoys, hostOutputItems, hostOutputProject } from './host-output.js'
import { markedPayloads, trap } from './payloads.js'

test('host output is data: shown as its exact text, never a template, an expression or a controller path', async (t) => {
  const at = trap()
  const decoy = decoys(at)
  const outputs = [...markedPayloads(at), ...decoy.paths]
  const hostDir = mkdtempSync(join(tmpdir(), 'tend-ssti-host-'))
  outputs.forEach((text, i) => writeFileSync(join(hostDir, `p-${i}.txt`), text))
  const outDir = join(hostDir, 'out')
  const side = {
    fileOf: (i: string) => join(hostDir, `p-${i}.txt`),
    outDir,
    extra: { inventory: [line('all:'), line('  hosts:'), line('    localhost: { ansible_connection: local }')] },
  }
  const written = async () => (await Promise.all((await readdir(outDir).catch(() => [])).map((f) => readFile(join(outDir, f), 'latin1')))).join('\n')
  const outcome = await runBatch({ trap: at, items: hostOutputItems(outputs.length), build: hostOutputProject(side, at, decoy), forbidden: decoy.forbidden, env: decoy.env, written })
  t.diagnostic(`${outputs.length} host outputs × 8 uses: ${outcome.refused.size} refused at validation, ${outcome.ran.length} run, ${outcome.findings.length} findings`)
  assertNoFindings(outcome, outputs)
  assertHostOutputAsData(outcome, outputs)
})
