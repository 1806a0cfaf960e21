/** include_tasks with a templated file name: read and validated when reached, like Ansible's. */
import { join, resolve } from 'node:path'
import { ConfigError, type Diagnostic } from '../errors.js'
import type { Handler, SourceRef, Task } from './model.js'
import { readTaskFile } from './includes.js'
import { normalizeTasks } from './tasks.js'
import { parseYaml } from './yaml-source.js'

/** `index`: the include's own (TaskCommon.index); its tasks are numbered under it. */
export function loadIncludedTasks(file: string, baseDir: string, where: SourceRef, index?: string): readonly Task[] {
  const full = resolve(baseDir, file)
  const diagnostics: Diagnostic[] = []
  const here = parseYaml(where.file, '')
  const ctx = {
    // Files an included task names are looked up as from the including file's directory.
    source: here.source, diagnostics, baseDir, playbookDir: baseDir, templateDirs: [join(baseDir, 'templates')], fileDirs: [join(baseDir, 'files')],
    stack: [], roleHandlers: [] as Handler[], rolesSeen: new Set<string>(),
    ...(index !== undefined && { numbering: { prefix: `${index}.`, next: 0 } }),
  }
  const tasks = readTaskFile(ctx, full, { source: here.source, offset: 0 }, 'tasks', normalizeTasks)
  if (tasks === undefined || diagnostics.length > 0) {
    throw new ConfigError(diagnostics.map((d) => (d.file === where.file && d.line <= 1 ? { ...where, message: d.message, ...(d.hint ? { hint: d.hint } : {}) } : d)))
  }
  return tasks as Task[]
}
