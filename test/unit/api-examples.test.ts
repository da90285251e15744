import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createPostGroupExample, listClientsExample, shellQuote } from '../../src-renderer/src/workspace/apiExamples';

/** What bash makes of a word, as the program it runs would receive it. */
const asBashSees = (word: string) => execFileSync('bash', ['-c', `printf %s ${word}`], { encoding: 'utf8' });

describe('the curl examples on the API page', () => {
  it('quotes any value so bash passes it on unchanged', () => {
    for (const value of ['plain', "it's", '$HOME `id` "x" \\n', '']) expect(asBashSees(shellQuote(value))).toBe(value);
  });

  it('fills in the base URL and the key, or a placeholder for the key', () => {
    expect(listClientsExample('http://127.0.0.1:4000/', 'pk_1')).toBe(
      "curl -s 'http://127.0.0.1:4000/api/v1/workspace/users' \\\n  -H 'x-publora-key: pk_1'",
    );
    expect(listClientsExample('http://127.0.0.1:4000', null)).toContain("-H 'x-publora-key: YOUR_API_KEY'");
  });

  it('posts JSON for the chosen client, with placeholders for what is missing', () => {
    const withIds = createPostGroupExample('http://127.0.0.1:4000', 'pk_1', 'user_1', ['mastodon-1']);
    expect(withIds).toContain("-H 'x-publora-user-id: user_1'");
    expect(withIds).toContain("-H 'content-type: application/json'");
    expect(withIds).toContain(`-d '{"text":"Hello","platformIds":["mastodon-1"]}'`);
    const bare = createPostGroupExample('http://127.0.0.1:4000', null, null, []);
    expect(bare).toContain("-H 'x-publora-user-id: USER_ID'");
    expect(bare).toContain('"platformIds":["PLATFORM_ID"]');
  });
});
