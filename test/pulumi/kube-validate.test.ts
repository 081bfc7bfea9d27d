// The validators must really reject what the API server would: a misspelled field, a wrong
// type, a missing required field, an unknown kind. Otherwise "valid" in the stack tests is empty.
import { describe, expect, it } from 'vitest';
import { validateObjects } from './kube-validate.js';

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'sample' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'sample' } },
    template: {
      metadata: { labels: { app: 'sample' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
    },
  },
});

describe('validateObjects', () => {
  it('accepts a well-formed Deployment', async () => {
    expect(await validateObjects([deployment()])).toEqual([]);
  });

  it('rejects a misspelled field that a lenient schema would let through', async () => {
    const wrong = deployment();
    Object.assign(wrong.spec.template.spec.containers[0] as object, { readinesProbe: {} });
    const problems = await validateObjects([wrong]);
    expect(problems).toEqual([
      expect.stringContaining('unknown field "spec.template.spec.containers[0].readinesProbe"'),
    ]);
  });

  it('rejects a field of the wrong type', async () => {
    const wrong = { ...deployment(), spec: { ...deployment().spec, replicas: 'two' } };
    const problems = await validateObjects([wrong]);
    expect(problems.join('\n')).toMatch(/Deployment\/sample: .*replicas/);
  });

  it('rejects a container without its required name', async () => {
    const wrong = deployment();
    wrong.spec.template.spec.containers = [
      { image: 'nginx:1.27' } as { name: string; image: string },
    ];
    expect((await validateObjects([wrong])).join('\n')).toMatch(
      /containers\/0 must have required property name/,
    );
  });

  it('rejects a kind the pinned API does not have', async () => {
    const wrong = { ...deployment(), apiVersion: 'apps/v1beta9' };
    expect(await validateObjects([wrong])).not.toEqual([]);
  });
});
