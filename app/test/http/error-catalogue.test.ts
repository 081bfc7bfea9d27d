import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/http/error-catalogue.js';

describe('error catalogue', () => {
  it('documents every code with its status in docs/errors.md', async () => {
    const docs = await readFile(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(docs).toMatch(new RegExp(`\\| \`${code}\` +\\| ${entry.status} +\\|`));
    }
  });
});
