import { modules } from '../modules/index.js'

/**
 * JSON Schemas of the playbook and inventory, composed from the module schemas of the registry
 * (read on each call, so a newly registered module is known at once). Descriptions are the docs
 * and the hints of validation diagnostics. `tend schema` prints these; schema/*.json are copies.
 */

const stringOrList = (description: string) => ({
  description,
  anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
})

const conditionList = (description: string) => ({
  description,
  anyOf: [{ type: ['string', 'boolean'] }, { type: 'array', items: { type: ['string', 'boolean'] } }],
})

const varsSchema = {
  type: 'object',
  description: 'Variables (name: value); values may use {{ templates }}.',
  propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
}

/** A boolean keyword: a boolean, or text checked by the loader (Ansible's words for one, or a template). */
const flag = (description: string) => ({ description, type: ['boolean', 'string', 'integer'] })

const becomeProperties = {
  become: flag('Run with privilege escalation (sudo -n); a template is decided per host.'),
  become_user: { type: 'string', description: 'User to become (default root); applies when become is true.' },
}

/** Keywords of a module task (besides the one module key). */
export const taskKeywords = {
  name: { type: 'string', description: 'What the task does, shown in the output.' },
  when: conditionList('Jinja expression(s) without braces; the task runs only if all hold (`unit_state == "active"`).'),
  register: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Variable name that receives the task result.' },
  notify: stringOrList('Handler name(s) or `listen` topic(s) to run at the end of the play if this task changed something.'),
  until: { type: 'string', description: 'Retry the task until this expression holds (see retries, delay).' },
  retries: { type: 'integer', minimum: 0, description: 'How often `until` retries (default 3).' },
  delay: { type: 'number', minimum: 0, description: 'Seconds between `until` retries (default 5).' },
  ignore_errors: flag('A failure of this task does not fail the host; a template is decided per host.'),
  changed_when: conditionList('Expression(s) deciding whether the task counts as changed.'),
  failed_when: conditionList('Expression(s) deciding whether the task counts as failed.'),
  tags: stringOrList('Tags for --tags / --skip-tags.'),
  no_log: flag('Hide this task\'s values and results from all output (a template hides them whatever it renders to).'),
  environment: {
    description: 'Environment variables for the commands this task runs on the host (a mapping, or a template giving one: `"{{ proxy_env }}"`); inner levels override outer ones.',
    anyOf: [{ type: 'object', propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } }, { type: 'string' }],
  },
  check_mode: { type: 'boolean', description: 'false: run for real under --check (the task only reads, by the author\'s word); true: only plan it, even without --check.' },
  timeout: { type: 'number', exclusiveMinimum: 0, description: 'Deadline in seconds for the whole task, verification included.' },
  ...becomeProperties,
  vars: varsSchema,
  loop: { description: 'Run the task once per item: a list, or a template giving one (`"{{ hosts_to_add }}"`); the item is `item`.', anyOf: [{ type: 'string' }, { type: 'array' }] },
  with_items: { description: 'Like loop, with nested lists flattened one level (Ansible\'s with_items).', anyOf: [{ type: 'string' }, { type: 'array' }] },
  with_list: { description: 'Like loop (Ansible\'s with_list).', anyOf: [{ type: 'string' }, { type: 'array' }] },
  with_dict: { description: 'Loop over a mapping: `item.key`, `item.value`.', anyOf: [{ type: 'string' }, { type: 'object' }] },
  loop_control: {
    type: 'object',
    additionalProperties: false,
    description: 'How the loop runs: loop_var, index_var, label, pause.',
    properties: {
      loop_var: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Name of the item variable (default item).' },
      index_var: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Variable holding the 0-based index of the item.' },
      label: { type: 'string', description: 'What the output shows for each item (a template).' },
      pause: { type: 'number', minimum: 0, description: 'Seconds to wait between items.' },
      extended: { type: 'boolean', description: 'Accepted; `ansible_loop` (index, index0, first, last, length) is always set.' },
    },
  },
  args: { type: ['object', 'string'], description: 'More arguments for the module (Ansible\'s `args:`, a mapping or `k=v` text); those under the module key win.' },
  run_once: { type: 'boolean', description: 'Run on one host of the batch only; every host of the batch gets its result.' },
  ignore_unreachable: { type: 'boolean', description: 'An unreachable host is counted `ignored` and stays in the play.' },
} as const

/** Keywords a block honours (inherited by every task inside it, as in Ansible); tasks.ts rejects the others. */
export const BLOCK_KEYWORDS = ['name', 'when', 'tags', 'ignore_errors', 'become', 'become_user', 'vars', 'no_log', 'check_mode', 'environment', 'timeout'] as const

/** Schema of one module's value in a task: its spec, or the shorthand scalar/list. */
export function moduleValueSchema(kind: string): object {
  const entry = modules[kind]
  if (!entry) return {}
  const schema = { description: entry.module.description, ...entry.module.schema }
  const shorthandSchema = (entry.module.schema as { properties?: Record<string, object> }).properties?.[entry.shorthand ?? '']
  return shorthandSchema ? { description: entry.module.description, anyOf: [schema, shorthandSchema] } : schema
}

/**
 * The playbook schema. With `forValidation`, module values and "exactly one module" are left to
 * the loader, which reports them with better messages than anyOf/oneOf failures can.
 */
export function playbookSchemaWith(forValidation: boolean): object {
  const kinds = Object.keys(modules)
  const moduleProperties = Object.fromEntries(kinds.map((k) => [k, forValidation ? {} : moduleValueSchema(k)]))
  const blockProperties = {
    ...Object.fromEntries(BLOCK_KEYWORDS.map((k) => [k, taskKeywords[k]])),
    block: { type: 'array', items: { $ref: '#/definitions/task' }, description: 'Tasks run in order.' },
    rescue: { type: 'array', items: { $ref: '#/definitions/task' }, description: 'Tasks run if a block task failed.' },
    always: { type: 'array', items: { $ref: '#/definitions/task' }, description: 'Tasks run after block (and rescue), whatever happened.' },
  }
  const task = forValidation
    ? { type: 'object', properties: { ...taskKeywords, ...blockProperties } }
    : {
        type: 'object',
        description: 'A task: one module key with its spec, plus task keywords; or a block.',
        properties: { ...taskKeywords, ...blockProperties, ...moduleProperties },
        additionalProperties: false,
        oneOf: [...kinds, 'block'].map((k) => ({ required: [k] })),
      }
  const handler = forValidation
    ? { ...task, required: ['name'], properties: { ...task.properties, listen: stringOrList('Topic(s) this handler also answers to in `notify`.') } }
    : {
        ...task,
        description: 'A handler: a module task run once at the end of the play if notified by its name or a `listen` topic.',
        required: ['name'],
        properties: { ...taskKeywords, ...moduleProperties, listen: stringOrList('Topic(s) this handler also answers to in `notify`.') },
        oneOf: kinds.map((k) => ({ required: [k] })),
      }
  const batch = {
    anyOf: [
      { type: 'integer', minimum: 1 },
      { type: 'string', pattern: '^(100|[1-9]?[0-9])(\\.[0-9]+)?%$|^\\s*[0-9]+\\s*$|\\{\\{' },
    ],
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://tend.dev/schema/playbook.schema.json',
    title: 'tend playbook',
    description: 'A list of plays (Ansible vocabulary).',
    type: 'array',
    items: { $ref: '#/definitions/play' },
    definitions: {
      play: {
        type: 'object',
        additionalProperties: false,
        required: ['hosts'],
        properties: {
          name: { type: 'string', description: 'What the play does, shown in the output.' },
          hosts: { type: 'string', minLength: 1, description: 'Host pattern: names, groups, `a:b` union, `a:&b` intersection, `a:!b` exclusion, `web*`, `~regex`, `all`.' },
          vars: varsSchema,
          vars_files: { type: 'array', items: { type: 'string' }, description: 'YAML files of variables, relative to the playbook; they override `vars`.' },
          serial: {
            description: 'Batch size: an integer, a percentage like "30%", or a list of them (the last repeats).',
            anyOf: [...batch.anyOf, { type: 'array', minItems: 1, items: batch }],
          },
          max_fail_percentage: { type: 'number', minimum: 0, maximum: 100, description: 'Percentage (0-100) of a batch that may fail; exceeding it stops the play.' },
          rollout: {
            type: 'object',
            additionalProperties: false,
            description: 'Rollout policy across this play\'s batches (serial): a budget for the whole rollout, a pause and health re-checks between batches.',
            properties: {
              error_budget: {
                description: 'Failed + unreachable hosts allowed in the whole rollout: a count, or a percentage of the play\'s hosts like "10%". One more halts the rollout before its next batch.',
                anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^(100|[1-9]?[0-9])(\\.[0-9]+)?%$' }],
              },
              pause: { type: 'number', minimum: 0, description: 'Seconds to wait between batches.' },
              recheck: { type: 'boolean', description: 'Before each next batch, re-run the play\'s gate tasks (http, journal, stable) on every host already converged; a host that broke since halts the rollout.' },
            },
          },
          check_mode: taskKeywords.check_mode,
          environment: taskKeywords.environment,
          any_errors_fatal: { type: 'boolean', description: 'Any host failing stops the play for all hosts.' },
          strategy: { enum: ['linear', 'free'], description: 'linear: hosts move task by task together; free: each host runs ahead.' },
          ...becomeProperties,
          tasks: { type: 'array', items: { $ref: '#/definitions/task' }, description: 'Tasks run in order on each host.' },
          handlers: { type: 'array', items: { $ref: '#/definitions/handler' }, description: 'Tasks run at the end of the play when notified.' },
          force_handlers: { type: 'boolean', description: 'Run notified handlers even on hosts that failed.' },
          gather_facts: { type: 'boolean', description: 'Gather a small fact set (ansible_hostname, ansible_facts.…) first. tend\'s default is false: most runbooks need no facts.' },
          roles: {
            type: 'array',
            description: 'Roles run before `tasks`: a name, or {role, vars, when, tags, …params}. Searched in roles/ beside the playbook, then TEND_ROLES_PATH.',
            items: { anyOf: [{ type: 'string' }, { type: 'object' }] },
          },
          pre_tasks: { type: 'array', items: { $ref: '#/definitions/task' }, description: 'Tasks run before roles.' },
          post_tasks: { type: 'array', items: { $ref: '#/definitions/task' }, description: 'Tasks run after `tasks`.' },
        },
      },
      task,
      handler,
    },
  }
}

export function playbookSchema(): object {
  return playbookSchemaWith(false)
}

/** Connection variables tend reads from the inventory; other variables are free-form. */
export const connectionVariables = {
  ansible_connection: { enum: ['local', 'ssh'], description: 'How to reach the host: ssh (default) or local (this machine).' },
  ansible_host: { type: 'string', description: 'Address to connect to (default: the inventory name).' },
  ansible_port: { anyOf: [{ type: 'integer', minimum: 1, maximum: 65535 }, { type: 'string', pattern: '^[0-9]+$|\\{\\{' }], description: 'SSH port (default 22 or ~/.ssh/config).' },
  ansible_user: { type: 'string', description: 'SSH user (default: ~/.ssh/config, else the current user).' },
  ansible_ssh_private_key_file: { type: 'string', description: 'Private key file for SSH.' },
  tend_known_hosts_file: { type: 'string', description: 'known_hosts file to verify the host key against (default ~/.ssh/known_hosts).' },
  tend_host_key_policy: { enum: ['strict', 'accept-new'], description: 'strict (default) refuses unknown host keys; accept-new records them.' },
  tend_proxy_jump: { type: 'string', description: 'Jump host, like ssh -J (user@host:port).' },
  ansible_become: { type: 'boolean', description: 'Run tasks with sudo -n where the playbook does not set become.' },
  ansible_become_user: { type: 'string', description: 'User to become with ansible_become (default root).' },
} as const

export function inventorySchema(): object {
  const hostVars = { type: ['object', 'null'], properties: connectionVariables, description: 'Host variables.' }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://tend.dev/schema/inventory.schema.json',
    title: 'tend inventory',
    description: "Ansible's YAML inventory: groups (`all` at the top) with hosts, children and vars.",
    type: 'object',
    additionalProperties: { $ref: '#/definitions/group' },
    definitions: {
      group: {
        type: ['object', 'null'],
        additionalProperties: false,
        properties: {
          hosts: { type: ['object', 'null'], additionalProperties: { $ref: '#/definitions/hostVars' }, description: 'Hosts of this group (name: variables).' },
          children: { type: ['object', 'null'], additionalProperties: { $ref: '#/definitions/group' }, description: 'Child groups (name: group).' },
          vars: { ...hostVars, description: 'Variables of every host in this group.' },
        },
      },
      hostVars,
    },
  }
}
