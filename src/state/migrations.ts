/**
 * The state store's schema, as an ordered list: migration N brings `PRAGMA user_version` from
 * N-1 to N. Append; never edit a migration that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: runs (tend run / resume, one row each), the hosts of a run, and host-cycles (every
  //    convergence of one host: a run's host or a watch cycle), the drift history.
  `CREATE TABLE runs (
     id TEXT PRIMARY KEY,
     kind TEXT NOT NULL,                 -- run | watch
     playbook TEXT NOT NULL,
     started_at INTEGER NOT NULL,        -- ms since the epoch
     finished_at INTEGER,
     status TEXT NOT NULL,               -- running | converged | failed | halted | interrupted | checked
     exit_code INTEGER,
     reason TEXT,                        -- why it halted or failed
     controller TEXT NOT NULL,
     pid INTEGER NOT NULL,
     plan TEXT NOT NULL                  -- JSON: the frozen plan (hashes, inventory, batches, policy, options)
   );
   CREATE TABLE run_hosts (
     run_id TEXT NOT NULL REFERENCES runs(id),
     play INTEGER NOT NULL,              -- 0-based play index
     host TEXT NOT NULL,
     batch INTEGER NOT NULL,             -- 1-based
     status TEXT NOT NULL,               -- pending | running | ok | changed | failed | unreachable | skipped
     message TEXT,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (run_id, play, host)
   );
   CREATE TABLE host_cycles (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     run_id TEXT NOT NULL,
     host TEXT NOT NULL,
     started_at INTEGER NOT NULL,
     duration_ms INTEGER NOT NULL,
     outcome TEXT NOT NULL,              -- ok | corrected | failed | unreachable | busy
     changes TEXT NOT NULL,              -- JSON: [{task, summary}]
     message TEXT,
     evidence TEXT NOT NULL              -- JSON: per task {task, status, result} (no_log tasks: no result)
   );
   CREATE INDEX host_cycles_by_host ON host_cycles (host, started_at);
   CREATE INDEX host_cycles_by_time ON host_cycles (started_at);`,
  // 2: a host-cycle's own id (watch: `<run>-<n>`), the id its --json events carry.
  `ALTER TABLE host_cycles ADD COLUMN cycle_id TEXT;
   CREATE INDEX host_cycles_by_cycle ON host_cycles (cycle_id);`,
]
