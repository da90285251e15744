import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEED_COPIES, SEED_FILES, SHARED_SEEDS } from '../support/seeds';

const beside = existsSync(SHARED_SEEDS);

const skipped = ` — skipped: no shared/seeds beside this checkout (${SHARED_SEEDS}) to compare with`;

describe.skipIf(!beside)(`the repository's seed copies${beside ? '' : skipped}`, () => {
  it.each(SEED_FILES)('%s is the seed in shared/ byte for byte', (file) => {
    expect(readFileSync(join(SEED_COPIES, file)).equals(readFileSync(join(SHARED_SEEDS, file)))).toBe(true);
  });
});
