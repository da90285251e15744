import type { Migration } from '../migration';
import { migration001 } from './001-initial';

/** Every migration, in order. Append only: a released migration is never edited. */
export const migrations: readonly Migration[] = [migration001];
