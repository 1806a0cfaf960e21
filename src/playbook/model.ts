/**
 * The playbook and inventory after loading and validation: what the engine consumes.
 * Raw YAML is checked against the JSON Schema (playbook/schema.ts); this is its normalized form.
 * Values may still hold `{{ templates }}`: they are rendered per host, right before each task.
 */

import type { SourceRef, Vars } from '../source.js'

export type { SourceRef, Vars }

export interface TaskCommon {
  readonly name?: string
  /** `when:` expressions (Jinja syntax, no braces); all must hold. */
  readonly when: readonly string[]
  readonly tags: readonly string[]
  readonly ignoreErrors: boolean
  /** `ignore_errors: "{{ … }}"`: decided per host once rendered (then it must be a boolean). */
  readonly ignoreErrorsTemplate?: string
  readonly become?: BecomeSpec
  readonly vars: Vars
  /** `no_log` (absent: false): on a block, every task inside it is hidden too. */
  readonly noLog?: boolean
  /**
   * `check_mode`: false runs the task for real under --check (the author says it only reads);
   * true only plans it, even without --check. On a block (or the play) it holds for every task inside.
   */
  readonly checkMode?: boolean
  /** `environment` as written (a mapping or a template giving one), rendered per host when the task runs. */
  readonly environment?: unknown
  /** `no_log: "{{ … }}"`: the task is hidden (noLog) and the template must render to a boolean. */
  readonly noLogTemplate?: string
  /** `timeout`: on a block, the default deadline of every task inside it (Ansible's inheritance). */
  readonly timeoutSeconds?: number
  readonly source: SourceRef
  /**
   * Positions of this task's templated strings and expressions (when, until, …), by JSON Pointer
   * from the task (`/http/url`, `/when/0`): validation points at them. Filled by the loader.
   */
  readonly templateSources?: Readonly<Record<string, TemplateSource>>
  /** A role's defaults: below every other variable (the engine drops those defined elsewhere). */
  readonly defaults?: Vars
  /** `loop:`/`with_*:` with its `loop_control`. */
  readonly loop?: LoopSpec
  /**
   * Where the task stands in its play, `2.5` (play 2, the fifth task read; tasks of a dynamic
   * include extend its number, `2.5.1`): names the task in metric labels without its free text.
   */
  readonly index?: string
}

/** Ansible's loop: the items (a template or a list, as written) and loop_control. */
export interface LoopSpec {
  readonly items: unknown
  readonly kind: 'loop' | 'with_items' | 'with_list' | 'with_dict'
  readonly loopVar: string
  readonly indexVar?: string
  /** A template shown instead of the item. */
  readonly label?: string
  readonly pauseSeconds: number
  readonly source: SourceRef
}

/**
 * `include_tasks`/`include_role`: tasks run when the include is reached, per loop item. Known at
 * load time (`tasks`) when the file name is not a template; else read when reached.
 */
export interface IncludeTask extends TaskCommon {
  readonly type: 'include'
  /** The file as written (may be a template), for include_tasks. */
  readonly file: string
  /** Directory a relative file is resolved against. */
  readonly baseDir: string
  readonly tasks?: readonly Task[]
  /** What the output calls it: `include_tasks: inc.yml`, `include_role: web`. */
  readonly label: string
}

/** A templated string (or a bare `when:`-style expression) as written, and where. */
export interface TemplateSource extends SourceRef {
  readonly text: string
  readonly expression: boolean
}

export interface ModuleTask extends TaskCommon {
  readonly type: 'module'
  /** Module kind, a key of the registry in modules/index.ts. */
  readonly module: string
  /** The module's spec, not yet rendered. */
  readonly args: unknown
  /** Top-level args read from controller files (copy's src as `content`): data, never rendered. */
  readonly verbatimArgs?: readonly string[]
  /**
   * The Ansible module (`systemd`, `file`) whose words `args` still hold where a value it is
   * translated by is a template (`state: "{{ s }}"`): translated again after rendering.
   */
  readonly ansible?: string
  readonly argsSource: SourceRef
  readonly register?: string
  readonly notify: readonly string[]
  /** Retry until this expression holds (Ansible: until/retries/delay). */
  readonly until?: string
  readonly retries: number
  readonly delaySeconds: number
  readonly changedWhen?: readonly string[]
  readonly failedWhen?: readonly string[]
  /** Where `notify` is written (for "no handler named …"). */
  readonly notifySource?: SourceRef
  /** Ansible's run_once: runs on one host of the batch; its result is every host's. */
  readonly runOnce?: boolean
  /** An unreachable host is counted `ignored` and stays in the play. */
  readonly ignoreUnreachable?: boolean
  /** `local_action`: runs on localhost (the inventory's, else this machine) with the host's variables. */
  readonly delegateLocal?: boolean
}

export interface BlockTask extends TaskCommon {
  readonly type: 'block'
  /**
   * `static`: a role or an import, not a `block:` written by the user. The play runs its tasks one
   * by one at top level (linear lockstep per task, as Ansible does), each wrapped in this block.
   */
  readonly origin?: 'static'
  readonly block: readonly Task[]
  readonly rescue: readonly Task[]
  readonly always: readonly Task[]
}

export type Task = ModuleTask | BlockTask | IncludeTask

/** A handler is a module task run at the end of a play (or batch) if notified by `name` or `listen`. */
export interface Handler extends ModuleTask {
  readonly name: string
  readonly listen: readonly string[]
}

export interface BecomeSpec {
  readonly user: string
  /** `become: "{{ … }}"`: escalate only where this renders to true (decided at the task's turn). */
  readonly if?: string
}

/** One batch size as written: an absolute count or a percentage of the play's hosts ("30%"). */
export type BatchSize = number | `${number}%`

/** A play's `rollout:` keys: what decides between batches (src/rollout/policy.ts). */
export interface RolloutPolicy {
  /** Failed + unreachable hosts allowed in the whole rollout (count or "P%"); absent: no budget. */
  readonly errorBudget?: number | `${number}%`
  readonly pauseSeconds: number
  readonly recheck: boolean
}

export interface Play {
  readonly name: string
  /** Host pattern (Ansible syntax: `a:b`, `a:&b`, `a:!b`, wildcards). */
  readonly hosts: string
  /** Play vars with vars_files already merged in (vars_files win, as in Ansible). */
  readonly vars: Vars
  /** Batch sizes; the last one repeats. Empty means all hosts in one batch. */
  readonly serial: readonly BatchSize[]
  /** Percentage of a batch's hosts that may fail; exceeding (not equalling) it stops the play. */
  readonly maxFailPercentage?: number
  readonly anyErrorsFatal: boolean
  /** `rollout:`, the policy between batches; absent means Ansible's serial semantics only. */
  readonly rollout?: RolloutPolicy
  /** vars_files as read (absolute paths), so a run's frozen plan can hash them. */
  readonly varsFiles?: readonly string[]
  readonly strategy: 'linear' | 'free'
  readonly become?: BecomeSpec
  /** The play's `check_mode` (see TaskCommon.checkMode). */
  readonly checkMode?: boolean
  /** The play's `environment` (see TaskCommon.environment). */
  readonly environment?: unknown
  readonly tasks: readonly Task[]
  readonly handlers: readonly Handler[]
  /**
   * Indexes into `tasks` after which the notified handlers run, as Ansible flushes them: after
   * pre_tasks and after roles + tasks (and at the end of the play, always).
   */
  readonly handlerFlushes?: readonly number[]
  readonly forceHandlers: boolean
  readonly source: SourceRef
  /** Where the `hosts:` pattern is written. */
  readonly hostsSource?: SourceRef
  /** gather_facts: true (tend's default is false: most runbooks need no facts). */
  readonly gatherFacts?: boolean
  /** Positions of templated play vars, by JSON Pointer from the play (`/vars/url`). */
  readonly templateSources?: Readonly<Record<string, TemplateSource>>
}

export interface Playbook {
  readonly file: string
  readonly plays: readonly Play[]
}

/** How tend reaches a host, derived from its variables (ansible_host, ansible_port, …). */
export type HostConnection =
  | { readonly kind: 'local' }
  | {
      readonly kind: 'ssh'
      /** ansible_host, else the inventory name. */
      readonly address: string
      readonly port?: number
      readonly user?: string
      /** ansible_ssh_private_key_file */
      readonly keyFile?: string
      /** tend_known_hosts_file; default ~/.ssh/known_hosts */
      readonly knownHostsFile?: string
      /** tend_host_key_policy: strict (default) refuses unknown keys; accept-new records them. */
      readonly hostKeyPolicy: 'strict' | 'accept-new'
      /** Written in the inventory: then neither ssh_config nor --accept-new-host-keys weakens it. */
      readonly hostKeyPolicyDeclared?: true
      /** ansible_ssh_common_args-free: ProxyJump comes from ~/.ssh/config or tend_proxy_jump. */
      readonly proxyJump?: string
    }

export interface InventoryHost {
  readonly name: string
  /** Variables with Ansible's precedence applied: all < parent groups < child groups < host. */
  readonly vars: Vars
  /** Every group the host belongs to, including `all` and ancestors. */
  readonly groups: readonly string[]
  readonly connection: HostConnection
}

export interface InventoryGroup {
  readonly name: string
  readonly hosts: readonly string[]
  readonly children: readonly string[]
  readonly vars: Vars
}

export interface Inventory {
  /** Source files (inventory plus host_vars/ and group_vars/ files read). */
  readonly files: readonly string[]
  /** In definition order. */
  readonly hosts: ReadonlyMap<string, InventoryHost>
  readonly groups: ReadonlyMap<string, InventoryGroup>
}

/**
 * Variables the engine defines on every host, Ansible's magic variables: never "undefined".
 * (`groups`, `hostvars` and `play_hosts` are maps/lists; `ansible_check_mode` is --check.)
 */
export const MAGIC_VARIABLES: readonly string[] = [
  'inventory_hostname',
  'inventory_hostname_short',
  'group_names',
  'groups',
  'hostvars',
  'play_hosts',
  'ansible_play_hosts',
  'ansible_play_batch',
  'ansible_check_mode',
  'ansible_diff_mode',
  'playbook_dir',
  'omit',
]
