import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const text = readFileSync(path.join(root, 'docs/decisions.md'), 'utf8');
const lines = text.split('\n');
const headings = lines.flatMap((line, i) => (line.startsWith('### ') ? [{ line, i }] : []));

describe('docs/decisions.md', () => {
  it('numbers every entry D1, D2, … in order, once each', () => {
    expect(headings.length).toBeGreaterThan(60);
    headings.forEach(({ line }, n) => expect(line).toMatch(new RegExp(`^### D${n + 1} — \\S`)));
  });

  it('gives every entry a date and the files it governs, each of which exists', () => {
    for (const { line, i } of headings) {
      const meta = lines[i + 1] ?? '';
      expect(meta, line).toMatch(/^Date: \d{4}-\d{2}-\d{2} · Files: `[^`]+`(, `[^`]+`)*$/);
      const files = [...meta.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
      for (const file of files) expect(existsSync(path.join(root, file)), `${line}: ${file}`).toBe(true);
    }
  });
});
