/**
 * Deterministic fleet data for the Airflow stand-in: DAG `i` of a fleet always
 * has the same id, tags, schedule, runs and task instances, whatever the
 * fleet size, so that a run of the suite is reproducible and entities naming
 * `dag_00042` mean the same DAG at 1,000 or 20,000 DAGs.
 */

export type ApiVersion = 'v1' | 'v2';

/** Every timestamp is counted back from this instant (a fixed "now"). */
export const FLEET_EPOCH_MS = Date.UTC(2026, 10, 30, 12, 0, 0);

export const TEAM_TAGS = 20;
const SCHEDULES = ['@daily', '@hourly', '0 6 * * *', '*/30 * * * *', null];
const SCHEDULE_WORDS: Record<string, string> = {
  '@daily': 'At 00:00',
  '@hourly': 'At 0 minutes past the hour',
  '0 6 * * *': 'At 06:00',
  '*/30 * * * *': 'Every 30 minutes',
};
const TASKS = ['extract', 'transform', 'load'];

/** Small integer hash (deterministic, no state). */
export function hash(...parts: number[]): number {
  let h = 2166136261;
  for (const p of parts) {
    h ^= p & 0xffff;
    h = Math.imul(h, 16777619);
    h ^= p >>> 16;
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export function dagIdOf(index: number): string {
  return `dag_${String(index).padStart(5, '0')}`;
}

/** Index of a generated DAG id, or -1 when the id is not one of ours. */
export function indexOfDagId(dagId: string, dagCount: number): number {
  const m = /^dag_(\d{5})$/.exec(dagId);
  if (!m) return -1;
  const i = Number(m[1]);
  return i < dagCount ? i : -1;
}

export function tagsOf(index: number): string[] {
  const tags = [`team_${index % TEAM_TAGS}`, `tier_${index % 3}`];
  if (index % 50 === 0) tags.push('critical');
  return tags;
}

export interface DagFacts {
  index: number;
  dagId: string;
  tags: string[];
  owners: string[];
  schedule: string | null;
  isPaused: boolean;
  runCount: number;
  /** Minutes between runs. */
  intervalMinutes: number;
}

export function dagFacts(index: number): DagFacts {
  const h = hash(index);
  const schedule = SCHEDULES[index % SCHEDULES.length];
  return {
    index,
    dagId: dagIdOf(index),
    tags: tagsOf(index),
    owners: [`owner_${index % 7}`],
    schedule,
    isPaused: index % 13 === 0,
    runCount: 3 + (h % 8),
    intervalMinutes: schedule === '@hourly' ? 60 : 30 + (h % 1440),
  };
}

export interface RunFacts {
  dagId: string;
  runId: string;
  /** Epoch ms of `run_after` / the logical date. */
  at: number;
  state: 'queued' | 'running' | 'success' | 'failed';
  startMs: number | null;
  endMs: number | null;
  runType: 'scheduled' | 'manual';
}

/** Runs of a DAG, newest first. */
export function runsOf(facts: DagFacts): RunFacts[] {
  const out: RunFacts[] = [];
  // Offset each DAG a little so runs of different DAGs interleave in time.
  const newest = FLEET_EPOCH_MS - (hash(facts.index, 7) % 3600) * 1000;
  for (let k = 0; k < facts.runCount; k++) {
    const at = newest - k * facts.intervalMinutes * 60_000;
    const h = hash(facts.index, k);
    let state: RunFacts['state'] = h % 9 === 0 ? 'failed' : 'success';
    if (k === 0 && facts.index % 11 === 0) state = 'running';
    if (k === 0 && facts.index % 29 === 0) state = 'queued';
    const startMs = state === 'queued' ? null : at + 5_000;
    const endMs =
      state === 'running' || state === 'queued'
        ? null
        : at + 5_000 + (h % 600) * 1000;
    const runType = h % 5 === 0 ? 'manual' : 'scheduled';
    const iso = new Date(at).toISOString().replace('Z', '+00:00');
    out.push({
      dagId: facts.dagId,
      runId: `${runType}__${iso}`,
      at,
      state,
      startMs,
      endMs,
      runType,
    });
  }
  return out;
}

/** Airflow 3 sends `…Z` with microseconds, Airflow 2 `…+00:00`. */
export function isoOf(ms: number | null, version: ApiVersion): string | null {
  if (ms === null) return null;
  const base = new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000');
  return version === 'v2' ? `${base}Z` : `${base}+00:00`;
}

function nextRunMs(facts: DagFacts): number | null {
  if (facts.schedule === null) return null;
  return FLEET_EPOCH_MS + facts.intervalMinutes * 60_000;
}

/** `DAGResponse` (v2) or `DAG` (v1). */
export function dagJson(
  facts: DagFacts,
  version: ApiVersion,
  isPaused: boolean,
): Record<string, unknown> {
  const next = nextRunMs(facts);
  const fileloc = `/opt/airflow/dags/${facts.dagId}.py`;
  const description = `Generated DAG ${facts.index} for the benchmark`;
  const words = facts.schedule
    ? SCHEDULE_WORDS[facts.schedule] ?? facts.schedule
    : 'Never, external triggers only';
  if (version === 'v2') {
    return {
      dag_id: facts.dagId,
      dag_display_name: facts.dagId,
      is_paused: isPaused,
      is_stale: false,
      last_parsed_time: isoOf(FLEET_EPOCH_MS - 60_000, version),
      last_parse_duration: 0.12,
      last_expired: null,
      bundle_name: 'dags-folder',
      bundle_version: null,
      relative_fileloc: `${facts.dagId}.py`,
      fileloc,
      description,
      timetable_summary: facts.schedule ?? 'None',
      timetable_description: words,
      tags: facts.tags.map(name => ({
        name,
        dag_id: facts.dagId,
        dag_display_name: facts.dagId,
      })),
      max_active_tasks: 16,
      max_active_runs: 16,
      max_consecutive_failed_dag_runs: 0,
      has_task_concurrency_limits: false,
      has_import_errors: false,
      next_dagrun_logical_date: isoOf(next, version),
      next_dagrun_data_interval_start: isoOf(next, version),
      next_dagrun_data_interval_end: isoOf(next, version),
      next_dagrun_run_after: isoOf(next, version),
      owners: facts.owners,
      file_token: Buffer.from(fileloc).toString('base64url'),
    };
  }
  return {
    dag_id: facts.dagId,
    dag_display_name: facts.dagId,
    root_dag_id: null,
    is_paused: isPaused,
    is_active: true,
    is_subdag: false,
    last_parsed_time: isoOf(FLEET_EPOCH_MS - 60_000, version),
    last_pickled: null,
    last_expired: null,
    scheduler_lock: null,
    pickle_id: null,
    default_view: 'grid',
    fileloc,
    file_token: Buffer.from(fileloc).toString('base64url'),
    owners: facts.owners,
    description,
    schedule_interval: facts.schedule
      ? { __type: 'CronExpression', value: facts.schedule }
      : null,
    timetable_description: words,
    tags: facts.tags.map(name => ({ name })),
    max_active_tasks: 16,
    max_active_runs: 16,
    has_task_concurrency_limits: false,
    has_import_errors: false,
    next_dagrun: isoOf(next, version),
    next_dagrun_data_interval_start: isoOf(next, version),
    next_dagrun_data_interval_end: isoOf(next, version),
    next_dagrun_create_after: isoOf(next, version),
  };
}

/** `DAGDetailsResponse` (v2) or `DAGDetail` (v1). */
export function dagDetailsJson(
  facts: DagFacts,
  version: ApiVersion,
  isPaused: boolean,
): Record<string, unknown> {
  const params = {
    batch_size: {
      __class: 'airflow.sdk.definitions.param.Param',
      value: 100 + (facts.index % 5) * 100,
      description: 'Rows per batch',
      schema: { type: 'integer', minimum: 1 },
    },
    dry_run: {
      __class: 'airflow.sdk.definitions.param.Param',
      value: false,
      description: null,
      schema: { type: 'boolean' },
    },
  };
  const common = {
    ...dagJson(facts, version, isPaused),
    catchup: false,
    doc_md: `# ${facts.dagId}\nGenerated for the benchmark.`,
    params,
    start_date: isoOf(FLEET_EPOCH_MS - 365 * 86_400_000, version),
    end_date: null,
    is_paused_upon_creation: null,
    render_template_as_native_obj: false,
  };
  if (version === 'v2') {
    return {
      ...common,
      dag_run_timeout: null,
      timezone: 'UTC',
      asset_expression: null,
      last_parsed: isoOf(FLEET_EPOCH_MS - 60_000, version),
      default_args: { owner: facts.owners[0], retries: 1 },
      owner_links: {},
      is_favorite: false,
      active_runs_count: facts.index % 11 === 0 ? 1 : 0,
      latest_dag_version: {
        id: `00000000-0000-4000-8000-${String(facts.index).padStart(12, '0')}`,
        version_number: 1,
        dag_id: facts.dagId,
        bundle_name: 'dags-folder',
        bundle_version: null,
        created_at: isoOf(FLEET_EPOCH_MS - 86_400_000, version),
      },
    };
  }
  return {
    ...common,
    concurrency: 16,
    dag_run_timeout: null,
    timezone: { __type: 'Timezone', name: 'UTC' },
    dataset_expression: null,
    template_search_path: null,
    orientation: 'LR',
  };
}

/** `DAGRunResponse` (v2) or `DAGRun` (v1). */
export function runJson(
  run: RunFacts,
  version: ApiVersion,
): Record<string, unknown> {
  const logical = isoOf(run.at, version);
  const common = {
    dag_run_id: run.runId,
    dag_id: run.dagId,
    logical_date: logical,
    start_date: isoOf(run.startMs, version),
    end_date: isoOf(run.endMs, version),
    data_interval_start: logical,
    data_interval_end: logical,
    last_scheduling_decision: isoOf(run.endMs ?? run.at, version),
    run_type: run.runType,
    state: run.state,
    conf: {},
    note: null,
  };
  if (version === 'v2') {
    return {
      ...common,
      queued_at: isoOf(run.at + 1_000, version),
      run_after: logical,
      duration:
        run.startMs !== null && run.endMs !== null
          ? (run.endMs - run.startMs) / 1000
          : null,
      triggered_by: run.runType === 'manual' ? 'rest_api' : 'timetable',
      triggering_user_name: run.runType === 'manual' ? 'admin' : null,
      dag_versions: [],
      bundle_version: null,
      dag_display_name: run.dagId,
    };
  }
  return {
    ...common,
    execution_date: logical,
    external_trigger: run.runType === 'manual',
  };
}

/** Task instances of a run: one per task of {@link TASKS}. */
export function taskInstancesJson(
  run: RunFacts,
  version: ApiVersion,
): Record<string, unknown>[] {
  return TASKS.map((taskId, t) => {
    let state: string | null = 'success';
    if (run.state === 'failed') state = t === 2 ? 'failed' : 'success';
    if (run.state === 'running') state = t === 0 ? 'success' : 'running';
    if (run.state === 'queued') state = null;
    const start = run.startMs === null ? null : run.startMs + t * 60_000;
    const end =
      state === 'success' || state === 'failed' ? (start ?? 0) + 50_000 : null;
    const common = {
      task_id: taskId,
      dag_id: run.dagId,
      dag_run_id: run.runId,
      map_index: -1,
      logical_date: isoOf(run.at, version),
      start_date: isoOf(start, version),
      end_date: isoOf(end, version),
      duration: end !== null && start !== null ? (end - start) / 1000 : null,
      state: version === 'v1' && state === null ? 'none' : state,
      try_number: state === null ? 0 : 1,
      max_tries: 1,
      hostname: 'bench',
      unixname: 'airflow',
      pool: 'default_pool',
      pool_slots: 1,
      queue: 'default',
      priority_weight: 3 - t,
      operator: 'PythonOperator',
      queued_when: isoOf(run.at + 2_000, version),
      pid: null,
      executor: null,
      executor_config: '{}',
      note: null,
      rendered_fields: {},
    };
    if (version === 'v2') {
      return {
        ...common,
        id: `00000000-0000-4000-9000-${String(t).padStart(12, '0')}`,
        task_display_name: taskId,
        operator_name: 'PythonOperator',
        run_after: isoOf(run.at, version),
        scheduled_when: isoOf(run.at + 1_500, version),
        dag_version: null,
        trigger: null,
        triggerer_job: null,
        dag_display_name: run.dagId,
      };
    }
    return {
      ...common,
      execution_date: isoOf(run.at, version),
      sla_miss: null,
    };
  });
}
