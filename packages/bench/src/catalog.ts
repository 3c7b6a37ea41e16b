/**
 * The bench catalog and app-config: entity YAML naming DAGs of the two
 * stand-in instances by id and by tag, and the config of the example backend
 * under test. Both are generated (deterministically) into the work folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { dagIdOf } from './standin/data.ts';

/** Entities whose names the scenarios use: `bench-dags-N` names dag_00000…dag_{N-1} on `alpha`. */
export const SIZED_ENTITIES = [1, 5, 20, 50, 100];
export const sizedEntity = (n: number) => `bench-dags-${n}`;
export const TAG_ENTITIES = 5;
export const TEAMS = 20;

export interface CatalogPlan {
  /** Entities in total (the sized and tag entities included). */
  entities: number;
  /** DAG ids each bulk entity names. */
  dagsPerEntity: number;
}

interface EntityDoc {
  name: string;
  owner: string;
  annotations: Record<string, string>;
}

/** The entities of a plan; bulk entity `e` names DAGs of `alpha` (even e) or `beta` (odd e). */
export function planEntities(plan: CatalogPlan): EntityDoc[] {
  const docs: EntityDoc[] = [];
  for (const n of SIZED_ENTITIES) {
    docs.push({
      name: sizedEntity(n),
      owner: 'bench-team-0',
      annotations: {
        'airflow.apache.org/dag-ids': Array.from({ length: n }, (_, i) =>
          dagIdOf(i),
        ).join(', '),
      },
    });
  }
  for (let t = 0; t < TAG_ENTITIES; t++) {
    docs.push({
      name: `bench-tag-${t}`,
      owner: `bench-team-${t % TEAMS}`,
      annotations: { 'airflow.apache.org/dag-tags': `team_${t}` },
    });
  }
  const bulk = Math.max(0, plan.entities - docs.length);
  for (let e = 0; e < bulk; e++) {
    const instance = e % 2 === 0 ? 'alpha' : 'beta';
    const k = Math.floor(e / 2);
    const ids = Array.from({ length: plan.dagsPerEntity }, (_, j) =>
      dagIdOf(k * plan.dagsPerEntity + j),
    );
    if (e % 10 === 9) ids.push(`dag_missing_${e}`);
    const annotations: Record<string, string> = {
      'airflow.apache.org/dag-ids': ids.join(', '),
    };
    if (instance === 'beta')
      annotations['airflow.apache.org/instance'] = 'beta';
    docs.push({
      name: `bench-e-${String(e).padStart(3, '0')}`,
      owner: `bench-team-${e % TEAMS}`,
      annotations,
    });
  }
  return docs;
}

/** Writes the catalog file; returns its path and the number of Component entities. */
export function writeCatalog(dir: string, plan: CatalogPlan) {
  const docs = planEntities(plan);
  const out: string[] = [];
  for (let t = 0; t < TEAMS; t++) {
    out.push(
      JSON.stringify({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: `bench-team-${t}` },
        spec: {
          type: 'team',
          children: [],
          ...(t === 0 ? { members: ['guest'] } : {}),
        },
      }),
    );
  }
  out.push(
    JSON.stringify({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: 'guest' },
      spec: { memberOf: ['bench-team-0'] },
    }),
  );
  for (const d of docs) {
    out.push(
      JSON.stringify({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: d.name, annotations: d.annotations },
        spec: {
          type: 'pipeline',
          lifecycle: 'production',
          owner: `group:default/${d.owner}`,
        },
      }),
    );
  }
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'bench-entities.yaml');
  // JSON documents are YAML documents.
  fs.writeFileSync(file, `${out.map(o => `---\n${o}\n`).join('')}`);
  return { file, components: docs.length };
}

export interface BackendConfigOptions {
  dir: string;
  name: string;
  port: number;
  ttlSeconds: number;
  catalogFile: string;
  standins: { name: string; port: number }[];
}

/** Writes an app-config for one backend under test; returns its path. */
export function writeBackendConfig(o: BackendConfigOptions): string {
  const url = `http://127.0.0.1:${o.port}`;
  const config = {
    app: { title: 'Airflow for Backstage bench', baseUrl: url },
    backend: {
      baseUrl: url,
      listen: { port: o.port, host: '127.0.0.1' },
      cors: { origin: url },
      database: { client: 'better-sqlite3', connection: ':memory:' },
    },
    auth: {
      providers: {
        guest: {
          userEntityRef: 'user:default/guest',
          // The bench runs the production build (NODE_ENV=production) on loopback only.
          dangerouslyAllowOutsideDevelopment: true,
        },
      },
    },
    catalog: {
      rules: [{ allow: ['Component', 'Group', 'User', 'Location'] }],
      locations: [{ type: 'file', target: o.catalogFile }],
      // Fewer background re-processing rounds while measuring.
      processingInterval: { minutes: 30 },
    },
    permission: {
      enabled: true,
      airflow: { adminGroups: ['group:default/platform-admins'] },
    },
    airflow: {
      instances: o.standins.map(s => ({
        name: s.name,
        baseUrl: `http://127.0.0.1:${s.port}`,
        apiVersion: 'auto',
        auth: { username: 'admin', password: 'admin' },
        timeoutSeconds: 60,
      })),
      cache: { ttlSeconds: o.ttlSeconds },
      recentRunsLimit: 5,
      ownership: { refreshIntervalMinutes: 60 },
    },
  };
  fs.mkdirSync(o.dir, { recursive: true });
  const file = path.join(o.dir, `app-config.${o.name}.yaml`);
  fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}
