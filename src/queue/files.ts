/**
 * Files a play reads on the controller (template sources, relative to the playbook's directory)
 * travel with the batch: a worker has no access to the controller's disk. A `src` that is itself a
 * template is only known per host at run time, so with --queue it is refused before the run starts.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import type { Diagnostic } from '../errors.js'
import type { Play, Playbook } from '../playbook/model.js'
import { dynamicIncludes, moduleTasks } from './job.js'

function templateSrc(args: unknown): unknown {
  return typeof args === 'object' && args !== null ? (args as { src?: unknown }).src : undefined
}

/** Problems that make a playbook unfit for --queue, each pinned to its source. */
export function queueProblems(playbook: Playbook): Diagnostic[] {
  const includes = playbook.plays.flatMap((play) => dynamicIncludes(play).map((task): Diagnostic => ({
    ...task.source,
    message: `${task.type === 'include' ? task.label : 'include'}: a file named by a variable is read when reached, on the controller's disk; with --queue it cannot be`,
    hint: 'workers receive the play as loaded: name the file literally (it is then read before the run), or run without --queue',
  })))
  // run_once is kept in one process (the first host of the batch runs it, the others take its
  // outcome); workers converge a batch's hosts apart, so each would run it.
  const once = playbook.plays.flatMap((play) => moduleTasks(play).filter((task) => task.runOnce === true).map((task): Diagnostic => ({
    ...task.source,
    message: `task "${task.name ?? task.module}": run_once runs the task on one host of the batch; with --queue the batch's hosts converge on different workers, so each would run it`,
    hint: 'run this playbook without --queue, or drop run_once and choose the host with `when: inventory_hostname == ansible_play_batch[0]`',
  })))
  return [...includes, ...once, ...playbook.plays.flatMap((play) => moduleTasks(play).flatMap((task): Diagnostic[] => {
    const src = templateSrc(task.args)
    if (task.module !== 'template' || typeof src !== 'string' || !(src.includes('{{') || src.includes('{%'))) return []
    return [{
      ...task.argsSource,
      message: `template src ${JSON.stringify(src)} depends on variables; with --queue the source must be a fixed path`,
      hint: 'workers receive the template sources with the job, read on the controller before the run; name the file literally, or run without --queue',
    }]
  }))]
}

/** The play's template sources by absolute path; a missing one is left out (the worker reports it as a local run would). */
export async function playFiles(play: Play, playbookDir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {}
  for (const task of moduleTasks(play)) {
    const src = templateSrc(task.args)
    if (task.module !== 'template' || typeof src !== 'string') continue
    const path = resolve(playbookDir, src)
    try {
      files[path] = await readFile(path, 'utf8')
    } catch {
      // not found or unreadable: the template module says so on the worker, with the path
    }
  }
  return files
}

/** On the worker: the files under a private root mirroring the controller's paths; returns the re-rooted playbook dir. */
export async function materialize(files: Readonly<Record<string, string>>, playbookDir: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'tend-job-'))
  for (const [path, text] of Object.entries(files)) {
    const target = join(root, path)
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, text, { mode: 0o600 })
  }
  return { dir: join(root, playbookDir), remove: () => rm(root, { recursive: true, force: true }) }
}
