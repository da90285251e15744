import type Database from 'better-sqlite3';

/** What a migration may touch besides the database: the data folder (media files live there). */
export interface MigrationEnv {
  dataDir: string;
}

/** A numbered schema change. Applied once, in order, inside a transaction. */
export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database, env: MigrationEnv): void;
}
