// Invariants every stack must hold, run against the real program under mocks (one stack per
// test file, see mocks.ts) and against the chart rendered by a real helm with the values the
// program passes it.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { majorityOf } from '../../components/redis-config.js';
import { readStackConfig, type StackConfig } from '../../components/stack-config.js';
import { renderChart } from './helm.js';
import { validateObjects } from './kube-validate.js';
import {
  kubernetesObjects,
  ofType,
  plainTextLeaks,
  type RecordedResource,
  repoRoot,
  runStack,
  type StackRun,
  stackConfig,
  unwrapSecrets,
} from './mocks.js';

// biome-ignore lint/suspicious/noExplicitAny: manifests are arbitrary JSON
type Manifest = Record<string, any>;

/** A matchLabels selector selects a pod when each of its labels is on the pod. */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

function byName(resources: RecordedResource[], name: string): Manifest {
  const found = resources.find((resource) => resource.inputs.metadata?.name === name);
  if (!found) throw new Error(`no object named ${name}`);
  return unwrapSecrets(found.inputs) as Manifest;
}

export function stackInvariants(stack: string): void {
  describe(`stack ${stack}`, () => {
    let run: StackRun;
    let config: StackConfig;
    let chartObjects: Manifest[];
    let redis: Manifest;
    let sentinel: Manifest;
    let deployment: Manifest;

    beforeAll(async () => {
      const raw = stackConfig(stack);
      config = readStackConfig({ get: (key) => raw[`auth-stack:${key}`] });
      run = await runStack(stack, raw);
      const chart = ofType(run, 'kubernetes:helm.sh/v4:Chart')[0];
      chartObjects = await renderChart(
        chart?.inputs.values,
        chart?.inputs.name,
        chart?.inputs.namespace,
      );
      const statefulSets = ofType(run, 'kubernetes:apps/v1:StatefulSet');
      redis = byName(statefulSets, 'redis');
      sentinel = byName(statefulSets, 'sentinel');
      deployment = chartObjects.find((object) => object.kind === 'Deployment') ?? {};
    });

    const allPods = () => [redis.spec.template, sentinel.spec.template, deployment.spec.template];

    it('runs the configured number of Redis and Sentinel pods with a majority quorum', () => {
      expect(redis.spec.replicas).toBe(config.redisReplicas);
      expect(sentinel.spec.replicas).toBe(config.sentinelReplicas);
      const env = sentinel.spec.template.spec.containers[0].env as {
        name: string;
        value?: string;
      }[];
      const quorum = Number(env.find((variable) => variable.name === 'QUORUM')?.value);
      expect(quorum).toBe(config.sentinelQuorum);
      expect(quorum).toBeGreaterThanOrEqual(majorityOf(config.sentinelReplicas));
    });

    it('gives every Redis pod the AOF and a persistent volume for it', () => {
      const conf = byName(ofType(run, 'kubernetes:core/v1:ConfigMap'), 'redis-config').data;
      expect(conf['redis.conf']).toMatch(/^appendonly yes$/m);
      expect(conf['redis.conf']).toMatch(/^dir \/data$/m);
      const sharedLines = readFileSync(`${repoRoot}deploy/redis/redis.conf`, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '' && !line.startsWith('#'));
      for (const line of sharedLines) expect(conf['redis.conf']).toContain(line);
      const claim = redis.spec.volumeClaimTemplates[0];
      expect(claim.spec.resources.requests.storage).toBe(config.redisStorageSize);
      const mounts = redis.spec.template.spec.containers[0].volumeMounts as Manifest[];
      expect(mounts).toContainEqual({ name: claim.metadata.name, mountPath: '/data' });
      expect(redis.spec.template.spec.volumes.map((v: Manifest) => v.name)).not.toContain('data');
    });

    it('has a disruption budget selecting each workload', () => {
      const budgets = [
        ...ofType(run, 'kubernetes:policy/v1:PodDisruptionBudget').map((r) => r.inputs),
        ...chartObjects.filter((object) => object.kind === 'PodDisruptionBudget'),
      ];
      for (const pod of allPods()) {
        const covering = budgets.filter((b) =>
          selects(b.spec.selector.matchLabels, pod.metadata.labels),
        );
        expect(covering).toHaveLength(1);
      }
      const sentinelBudget = byName(
        ofType(run, 'kubernetes:policy/v1:PodDisruptionBudget'),
        'sentinel',
      );
      expect(sentinelBudget.spec.minAvailable).toBeGreaterThanOrEqual(config.sentinelQuorum);
    });

    it('spreads Redis and Sentinel pods across nodes, strictly when configured so', () => {
      for (const pod of [redis.spec.template, sentinel.spec.template]) {
        const anti = pod.spec.affinity.podAntiAffinity;
        const term =
          config.redisAntiAffinity === 'required'
            ? anti.requiredDuringSchedulingIgnoredDuringExecution[0]
            : anti.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm;
        expect(term.topologyKey).toBe('kubernetes.io/hostname');
        expect(selects(term.labelSelector.matchLabels, pod.metadata.labels)).toBe(true);
      }
    });

    it('lets only the service, Redis and Sentinel pods reach Redis and Sentinel', () => {
      const policies = ofType(run, 'kubernetes:networking.k8s.io/v1:NetworkPolicy').map(
        (r) => r.inputs,
      );
      const stranger = { 'app.kubernetes.io/name': 'someone-else' };
      for (const target of [redis.spec.template, sentinel.spec.template]) {
        const policy = policies.find((p) =>
          selects(p.spec.podSelector.matchLabels, target.metadata.labels),
        );
        expect(policy?.spec.policyTypes).toEqual(['Ingress']);
        const from = policy?.spec.ingress[0].from[0].podSelector.matchLabels;
        for (const client of allPods()) expect(selects(from, client.metadata.labels)).toBe(true);
        expect(selects(from, stranger)).toBe(false);
      }
      const redisPolicy = policies.find((p) =>
        selects(p.spec.podSelector.matchLabels, redis.spec.template.metadata.labels),
      );
      expect(
        selects(
          redisPolicy?.spec.podSelector.matchLabels,
          deployment.spec.template.metadata.labels,
        ),
      ).toBe(false);
    });

    it('keeps every generated secret inside Pulumi secrets and out of plain text', () => {
      expect(run.generatedSecrets.length).toBeGreaterThanOrEqual(6);
      for (const resource of run.resources) {
        expect(plainTextLeaks(resource.inputs, run.generatedSecrets), resource.name).toEqual([]);
      }
      expect(plainTextLeaks(chartObjects, run.generatedSecrets)).toEqual([]);
      expect(plainTextLeaks(run.outputs, run.generatedSecrets)).toEqual([]);
      const secrets = ofType(run, 'kubernetes:core/v1:Secret');
      expect(secrets.map((s) => s.inputs.metadata.name).sort()).toEqual([
        'auth-service-secrets',
        'redis-auth',
      ]);
    });

    it('gives every container probes, requests and a memory limit', () => {
      for (const pod of allPods()) {
        for (const container of pod.spec.containers as Manifest[]) {
          expect(container.readinessProbe, container.name).toBeDefined();
          expect(container.livenessProbe, container.name).toBeDefined();
          expect(container.resources.requests.cpu, container.name).toBeDefined();
          expect(container.resources.requests.memory, container.name).toBeDefined();
          expect(container.resources.limits.memory, container.name).toBeDefined();
        }
      }
      const probes = deployment.spec.template.spec.containers[0];
      expect(probes.readinessProbe.httpGet.path).toBe('/readyz');
      expect(probes.livenessProbe.httpGet.path).toBe('/healthz');
    });

    it('runs every pod under the restricted security profile', () => {
      for (const pod of allPods()) {
        expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
        expect(pod.spec.securityContext.seccompProfile.type).toBe('RuntimeDefault');
        for (const container of pod.spec.containers as Manifest[]) {
          expect(container.securityContext).toMatchObject({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          });
        }
      }
    });

    it('limits the service ACL user to its key prefix and its commands', () => {
      const acl: string = byName(ofType(run, 'kubernetes:core/v1:Secret'), 'redis-auth').stringData[
        'users.acl'
      ];
      const serviceLine = acl.split('\n').find((line) => line.startsWith('user auth-service '));
      expect(serviceLine).toContain(` ~${config.redisKeyPrefix}* `);
      expect(serviceLine).toContain(' -@all ');
      expect(serviceLine).not.toMatch(/ ~\* | \+@all| allkeys| \+flushall| \+keys | \+config/);
      const env = deployment.spec.template.spec.containers[0].env as Manifest[];
      expect(env).toContainEqual({ name: 'REDIS_USERNAME', value: 'auth-service' });
    });

    it('exports the service URL, the Sentinel address, the master name and the secret name', () => {
      expect(run.outputs).toMatchObject({
        serviceUrl: expect.stringMatching(/^https?:\/\//),
        sentinelAddress: `sentinel.${config.kubeNamespace}.svc.cluster.local:26379`,
        masterName: config.redisMasterName,
        credentialsSecretName: 'redis-auth',
      });
    });

    it('renders only objects valid for the pinned Kubernetes API', async () => {
      const objects = [...kubernetesObjects(run), ...chartObjects];
      expect(objects.length).toBeGreaterThan(12);
      expect(await validateObjects(objects)).toEqual([]);
    });
  });
}
