import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { OwnershipStore } from '../service/ownership/OwnershipStore';

const MIGRATIONS_DIR = resolvePackagePath(
  '@airflow-for-backstage/backstage-plugin-airflow-backend',
  'migrations',
);

/** A database of a test, migrated, and how to throw it away. */
export interface TestDatabase {
  db: Knex;
  store: OwnershipStore;
  destroy(): Promise<void>;
}

/**
 * The databases the store is tested on: SQLite in memory always, and
 * PostgreSQL when `POSTGRES_URL` is set (a superuser URL, e.g. from
 * `scripts/postgres.sh url`): each test gets a database of its own there,
 * dropped afterwards.
 */
export const TEST_DATABASES: {
  name: string;
  create(): Promise<TestDatabase>;
}[] = [
  {
    name: 'SQLite',
    async create() {
      const db = knexFactory({
        client: 'better-sqlite3',
        connection: { filename: ':memory:' },
        useNullAsDefault: true,
      });
      await db.migrate.latest({ directory: MIGRATIONS_DIR });
      return { db, store: new OwnershipStore(db), destroy: () => db.destroy() };
    },
  },
  ...(process.env.POSTGRES_URL
    ? [
        {
          name: 'PostgreSQL',
          async create(): Promise<TestDatabase> {
            const url = process.env.POSTGRES_URL!;
            const name = `airflow_test_${randomBytes(6).toString('hex')}`;
            const admin = knexFactory({ client: 'pg', connection: url });
            await admin.raw(`CREATE DATABASE ${name}`);
            const target = new URL(url);
            target.pathname = `/${name}`;
            const db = knexFactory({
              client: 'pg',
              connection: target.toString(),
            });
            await db.migrate.latest({ directory: MIGRATIONS_DIR });
            return {
              db,
              store: new OwnershipStore(db),
              async destroy() {
                await db.destroy();
                await admin.raw(`DROP DATABASE IF EXISTS ${name}`);
                await admin.destroy();
              },
            };
          },
        },
      ]
    : []),
];
