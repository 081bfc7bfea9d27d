// The chart through a real helm (v4.3.2): lint, render with its own defaults and with every
// optional part switched on, and validate what it renders against the pinned Kubernetes API.
import { describe, expect, it } from 'vitest';
import { chartDir, helm, renderChart } from './helm.js';
import { validateObjects } from './kube-validate.js';

describe('charts/auth-service', () => {
  it('passes helm lint in strict mode', async () => {
    const out = await helm(['lint', '--strict', chartDir]);
    expect(out).toContain('0 chart(s) failed');
  });

  it('renders valid objects with its default values', async () => {
    const objects = await renderChart({});
    expect(objects.map((object) => object.kind).sort()).toEqual([
      'Deployment',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'Service',
    ]);
    expect(await validateObjects(objects)).toEqual([]);
  });

  it('renders a NodePort, a pinned digest and a ServiceMonitor when asked', async () => {
    const objects = await renderChart({
      image: {
        repository: 'registry.example.com/auth-service',
        digest: `sha256:${'a'.repeat(64)}`,
      },
      service: { type: 'NodePort', nodePort: 30080 },
      autoscaling: { enabled: false },
      metrics: { annotations: false, serviceMonitor: { enabled: true } },
    });
    const find = (kind: string) =>
      objects.find((object) => object.kind === kind) as never as {
        spec: Record<string, never>;
      };
    expect(find('Service').spec).toMatchObject({ type: 'NodePort', ports: [{ nodePort: 30080 }] });
    expect(JSON.stringify(find('Deployment'))).toContain(`auth-service@sha256:${'a'.repeat(64)}`);
    expect(find('Deployment').spec).toMatchObject({ replicas: 2 });
    expect(objects.some((object) => object.kind === 'ServiceMonitor')).toBe(true);
    expect(objects.some((object) => object.kind === 'HorizontalPodAutoscaler')).toBe(false);
    expect(await validateObjects(objects)).toEqual([]);
  });
});
