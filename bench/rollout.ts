/**
 * The rollout row: the incident recovery on 10 hosts as a rolling update of 2 hosts a batch.
 * tend: `serial: 2` + `rollout: {error_budget: 0, recheck: true}` (before each next batch the
 * play's gates re-run on every host already converged). Ansible: `serial: 2` +
 * `max_fail_percentage: 0`, its nearest equivalent; it has no recheck, so it does less work.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'

type PlayText = Record<string, unknown>

async function rewrite(file: string, out: string, change: (play: PlayText) => PlayText): Promise<string> {
  const plays = parse(await readFile(file, 'utf8')) as PlayText[]
  // Keys after `hosts`, where a reader looks for them.
  const changed = plays.map((play) => change(play))
  await writeFile(out, stringify(changed))
  return out
}

function after(play: PlayText, key: string, extra: PlayText): PlayText {
  const entries = Object.entries(play)
  const at = entries.findIndex(([k]) => k === key) + 1
  return Object.fromEntries([...entries.slice(0, at), ...Object.entries(extra), ...entries.slice(at)])
}

export async function rolloutPlaybooks(tend: string, ansible: string, dir: string): Promise<{ tend: string; ansible: string }> {
  await mkdir(dir, { recursive: true })
  return {
    tend: await rewrite(tend, join(dir, 'rollout.yaml'), (p) => after(p, 'hosts', { serial: 2, rollout: { error_budget: 0, recheck: true } })),
    ansible: await rewrite(ansible, join(dir, 'rollout.yml'), (p) => after(p, 'hosts', { serial: 2, max_fail_percentage: 0 })),
  }
}
