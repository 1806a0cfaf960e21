/**
 * Ansible keywords tend does not have, with what to do instead: the migration check. `tend
 * validate` reports each one where it is written, all at once, so a playbook written for Ansible
 * shows everything that needs changing in one pass.
 */

export const MISSING_TASK_KEYWORDS: Readonly<Record<string, string>> = {
  delegate_to: 'tend runs each task on its own host; put the task in a play whose `hosts:` is the other machine',
  delegate_facts: 'tend runs each task on its own host; there is no delegation',
  async: 'tend has no background tasks; give the task a `timeout:` (seconds) instead',
  poll: 'tend has no background tasks; give the task a `timeout:` instead',
  diff: 'use --diff on the command line',
  throttle: 'use `serial:` on the play or `--forks`',
  connection: 'set `ansible_connection` in the inventory (ssh or local)',
  module_defaults: 'write the arguments in each task (or in play `vars` used by templates)',
  collections: 'tend has one fixed set of modules; collections are not loaded',
  any_errors_fatal: 'set `any_errors_fatal` on the play',
  debugger: 'tend has no task debugger; use -vvv to see commands and their output',
  remote_user: 'set `ansible_user` in the inventory, or -u on the command line',
  port: 'set `ansible_port` in the inventory',
  become_method: 'tend escalates with `sudo -n` only',
  become_flags: 'tend escalates with `sudo -n` only',
  become_exe: 'tend escalates with `sudo -n` only',
  with_fileglob: 'list the files in `loop:`',
  with_sequence: 'use `loop: "{{ range(1, 6) | list }}"`',
  with_subelements: 'use `loop:` over a list you build in `vars`',
  with_nested: 'use `loop:` over a list you build in `vars` (the product of both)',
  with_together: 'use `loop:` over a list of pairs built in `vars`',
  with_first_found: 'name the file directly',
  with_lines: 'run the command in a task with `register`, then `loop: "{{ result.stdout_lines }}"`',
  with_indexed_items: 'use `loop:` with `loop_control: {index_var: i}`',
  with_random_choice: 'tend has no random choice',
}

export const MISSING_PLAY_KEYWORDS: Readonly<Record<string, string>> = {
  vars_prompt: 'tend never prompts; pass the values with -e (or -e @file)',
  gather_subset: 'tend gathers one small fixed fact set with `gather_facts: true`',
  gather_timeout: 'the fact gathering is one command bounded by --step-timeout',
  connection: 'set `ansible_connection` in the inventory (ssh or local)',
  remote_user: 'set `ansible_user` in the inventory, or -u on the command line',
  collections: 'tend has one fixed set of modules; collections are not loaded',
  module_defaults: 'write the arguments in each task',
  order: 'hosts run in inventory order',
  throttle: 'use `serial:` or --forks',
  diff: 'use --diff on the command line',
  tags: 'put `tags:` on the tasks (or on a block holding them)',
  ignore_errors: 'put `ignore_errors:` on the tasks (or on a block holding them)',
  ignore_unreachable: 'put `ignore_unreachable:` on the tasks',
  run_once: 'put `run_once:` on the tasks',
  port: 'set `ansible_port` in the inventory',
  debugger: 'tend has no task debugger; use -vvv',
  fact_path: 'tend gathers no local facts',
  become_method: 'tend escalates with `sudo -n` only',
  become_flags: 'tend escalates with `sudo -n` only',
  max_fail_percentage_on_host: 'use `max_fail_percentage`',
  force_handlers_on_failure: 'use `force_handlers`',
}
