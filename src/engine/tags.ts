/**
 * Ansible's tag selection. `always` runs unless skipped by name; `never` runs only when one of
 * the task's tags is asked for; `all`, `tagged`, `untagged` are the special selectors.
 */
export function selectedByTags(
  taskTags: readonly string[],
  include: readonly string[],
  skip: readonly string[],
): boolean {
  if (taskTags.some((tag) => skip.includes(tag))) return false
  if (skip.includes('tagged') && taskTags.length > 0) return false
  if (skip.includes('untagged') && taskTags.length === 0) return false
  if (taskTags.includes('always')) return true
  const never = taskTags.includes('never')
  if (include.length === 0) return !never
  if (taskTags.some((tag) => include.includes(tag))) return true
  if (never) return false
  if (include.includes('all')) return true
  if (include.includes('tagged') && taskTags.length > 0) return true
  return include.includes('untagged') && taskTags.length === 0
}
