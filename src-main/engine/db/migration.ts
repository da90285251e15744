import type Database from 'better-sqlite3';

/** What a migration may touch besides the database: the data folder (media files live there). */
export interface MigrationEnv {
  dataDir: string;
}

/**
 * What one migration runs: a schema change, applied once, in order, inside a transaction. Each
 * file in migrations/ exports one, named for what it does; migrations/index.ts numbers them.
 */
export type MigrationStep = (db: Database.Database, env: MigrationEnv) => void;

/** A numbered migration: its step, its name, and its version, which is its place in the table (from 1). */
export interface Migration {
  version: number;
  name: string;
  up: MigrationStep;
}
