import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * The seeds the compatibility tests read (SPEC's sources, `shared/seeds/` beside the checkout),
 * kept in the repository byte for byte, so that a clone anywhere runs them; test/unit/seeds.test.ts
 * compares each copy with `shared/seeds/` wherever that is beside the checkout.
 */

export const SEED_FILES = ['000_8588c5f26c5b14af.txt', '004_ff838236932b7db4.txt'] as const;
export type SeedFile = (typeof SEED_FILES)[number];

export const SEED_COPIES = join(__dirname, '..', 'fixtures', 'seeds');
export const SHARED_SEEDS = join(process.cwd(), '..', 'shared', 'seeds');

/** A seed's text, from the repository's copy. */
export const seedText = (file: SeedFile): string => readFileSync(join(SEED_COPIES, file), 'utf8');
