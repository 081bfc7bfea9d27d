// Typed, validated stack configuration. Every key is read here once, with its default, and a
// bad value fails `pulumi up` with a message naming the key (`auth-stack:redisReplicas ...`).
import type { AntiAffinity } from './pod-defaults.js';
import { majorityOf } from './redis-config.js';

/** Where raw values come from: `pulumi.Config` in the program, a plain object in tests. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

/** CPU and memory requests and limits of one container, as Kubernetes quantities. */
export interface ContainerResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu?: string; readonly memory: string };
}

export interface StackConfig {
  /** Kubernetes namespace every object goes to (default `auth-stack`). */
  readonly kubeNamespace: string;
  /** Redis pods: one master, the rest replicas (default 3, at least 2). */
  readonly redisReplicas: number;
  /** Sentinel pods (default 3, odd, at least 3). */
  readonly sentinelReplicas: number;
  /** Sentinels that must agree a master is down (default: a majority of sentinelReplicas). */
  readonly sentinelQuorum: number;
  /** Name the sentinels monitor the master under (default `mymaster`). */
  readonly redisMasterName: string;
  /** Redis and Sentinel image (default `redis:7.2.5`). */
  readonly redisImage: string;
  /** Persistent volume size of each Redis pod (default `1Gi`). */
  readonly redisStorageSize: string;
  /** Storage class of those volumes (default: the cluster's default class). */
  readonly redisStorageClass: string | undefined;
  /** Key prefix the service's ACL user is limited to (default `auth:`). */
  readonly redisKeyPrefix: string;
  /** `required` (default) keeps Redis and Sentinel pods on distinct nodes; `preferred` tries. */
  readonly redisAntiAffinity: AntiAffinity;
  /** Resources of each Redis container; maxmemory is derived from the memory limit. */
  readonly redisResources: ContainerResources;
  /** Resources of each Sentinel container. */
  readonly sentinelResources: ContainerResources;
  /** Service pods the autoscaler starts from (default 2). */
  readonly appReplicas: number;
  /** Most service pods the autoscaler may run (default 6). */
  readonly appMaxReplicas: number;
  /** Average CPU utilisation the autoscaler aims at, in percent (default 70). */
  readonly appTargetCpuPercent: number;
  /** Resources of each service container. */
  readonly appResources: ContainerResources;
  /** Repository the service image is tagged with (default `auth-service`). */
  readonly appImageName: string;
  /** Push the image to its registry; false for kind/minikube, which load it (default false). */
  readonly appImagePush: boolean;
  /** `ClusterIP` (default) or `NodePort`, which dev uses to be reachable from the host. */
  readonly appServiceType: 'ClusterIP' | 'NodePort';
  /** Node port when appServiceType is NodePort (30000-32767). */
  readonly appNodePort: number | undefined;
  /** URL the service is reached at from outside, if any (default: the in-cluster URL). */
  readonly appPublicUrl: string | undefined;
  /** Service log level (default `info`). */
  readonly appLogLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** Issuer and audience of access tokens. */
  readonly appJwtIssuer: string;
  readonly appJwtAudience: string;
  /** Create a Prometheus Operator ServiceMonitor instead of relying on annotations. */
  readonly appServiceMonitor: boolean;
}

/** A bad stack configuration value; the message starts with the full key. */
export class StackConfigError extends Error {
  override readonly name = 'StackConfigError';
}

const project = 'auth-stack';
const quantity = /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$/;
const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** Reads and checks every key; throws StackConfigError naming the first bad one. */
export function readStackConfig(source: ConfigSource): StackConfig {
  const read = new Reader(source);

  const sentinelReplicas = read.integer('sentinelReplicas', 3, 3, 7);
  if (sentinelReplicas % 2 === 0) {
    read.fail('sentinelReplicas', 'must be odd, so a partition always leaves one majority');
  }
  const appReplicas = read.integer('appReplicas', 2, 1, 100);
  const appServiceType = read.oneOf(
    'appServiceType',
    ['ClusterIP', 'NodePort'] as const,
    'ClusterIP',
  );
  const appNodePort = read.optionalInteger('appNodePort', 30000, 32767);
  if (appServiceType === 'NodePort' && appNodePort === undefined) {
    read.fail('appNodePort', 'is required when appServiceType is NodePort');
  }

  return {
    kubeNamespace: read.matching('kubeNamespace', 'auth-stack', dnsLabel, 'a DNS label'),
    redisReplicas: read.integer('redisReplicas', 3, 2, 9),
    sentinelReplicas,
    sentinelQuorum: read.integer(
      'sentinelQuorum',
      majorityOf(sentinelReplicas),
      majorityOf(sentinelReplicas),
      sentinelReplicas,
    ),
    redisMasterName: read.matching('redisMasterName', 'mymaster', /^[A-Za-z0-9._-]+$/, 'a name'),
    redisImage: read.text('redisImage', 'redis:7.2.5'),
    redisStorageSize: read.matching('redisStorageSize', '1Gi', quantity, 'a quantity like 1Gi'),
    redisStorageClass: source.get('redisStorageClass') || undefined,
    redisKeyPrefix: read.matching('redisKeyPrefix', 'auth:', /^[A-Za-z0-9:_-]{1,64}$/, 'a prefix'),
    redisAntiAffinity: read.oneOf(
      'redisAntiAffinity',
      ['required', 'preferred'] as const,
      'required',
    ),
    redisResources: read.resources('redisResources', '100m', '256Mi', '512Mi'),
    sentinelResources: read.resources('sentinelResources', '50m', '32Mi', '64Mi'),
    appReplicas,
    appMaxReplicas: read.integer('appMaxReplicas', Math.max(6, appReplicas), appReplicas, 200),
    appTargetCpuPercent: read.integer('appTargetCpuPercent', 70, 10, 95),
    appResources: read.resources('appResources', '250m', '256Mi', '512Mi'),
    appImageName: read.text('appImageName', 'auth-service'),
    appImagePush: read.boolean('appImagePush', false),
    appServiceType,
    appNodePort,
    appPublicUrl: read.optionalMatching('appPublicUrl', /^https?:\/\/\S+$/, 'an http(s) URL'),
    appLogLevel: read.oneOf('appLogLevel', logLevels, 'info'),
    appJwtIssuer: read.text('appJwtIssuer', 'auth-service'),
    appJwtAudience: read.text('appJwtAudience', 'auth-clients'),
    appServiceMonitor: read.boolean('appServiceMonitor', false),
  };
}

/** Small parsing helpers whose errors all name the key. */
class Reader {
  constructor(private readonly source: ConfigSource) {}

  fail(key: string, problem: string): never {
    throw new StackConfigError(`${project}:${key} ${problem}`);
  }

  text(key: string, fallback: string): string {
    const value = this.source.get(key);
    if (value === undefined) return fallback;
    if (value.trim() === '') this.fail(key, 'must not be empty');
    return value;
  }

  matching(key: string, fallback: string, pattern: RegExp, what: string): string {
    const value = this.text(key, fallback);
    if (!pattern.test(value)) this.fail(key, `must be ${what}, got "${value}"`);
    return value;
  }

  optionalMatching(key: string, pattern: RegExp, what: string): string | undefined {
    if (this.source.get(key) === undefined) return undefined;
    return this.matching(key, '', pattern, what);
  }

  integer(key: string, fallback: number, min: number, max: number): number {
    return this.optionalInteger(key, min, max) ?? fallback;
  }

  optionalInteger(key: string, min: number, max: number): number | undefined {
    const raw = this.source.get(key);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.fail(key, `must be a whole number from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const raw = this.source.get(key);
    if (raw === undefined) return fallback;
    if (raw !== 'true' && raw !== 'false') this.fail(key, `must be true or false, got "${raw}"`);
    return raw === 'true';
  }

  oneOf<const T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const raw = this.source.get(key);
    if (raw === undefined) return fallback;
    const match = allowed.find((candidate) => candidate === raw);
    if (match === undefined) this.fail(key, `must be one of ${allowed.join(', ')}, got "${raw}"`);
    return match;
  }

  /** A JSON object `{requests: {cpu, memory}, limits: {cpu?, memory}}`; defaults fill gaps. */
  resources(key: string, cpu: string, memory: string, memoryLimit: string): ContainerResources {
    const raw = this.source.get(key);
    let given: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } = {};
    if (raw !== undefined) {
      try {
        given = JSON.parse(raw);
      } catch {
        this.fail(key, 'must be an object with requests and limits');
      }
    }
    const pick = (path: string, value: unknown, fallback: string): string => {
      if (value === undefined) return fallback;
      if (typeof value !== 'string' || !quantity.test(value)) {
        this.fail(
          `${key}.${path}`,
          `must be a quantity like 250m or 256Mi, got "${String(value)}"`,
        );
      }
      return value;
    };
    const limitCpu = given.limits?.cpu;
    return {
      requests: {
        cpu: pick('requests.cpu', given.requests?.cpu, cpu),
        memory: pick('requests.memory', given.requests?.memory, memory),
      },
      limits: {
        ...(limitCpu === undefined ? {} : { cpu: pick('limits.cpu', limitCpu, cpu) }),
        memory: pick('limits.memory', given.limits?.memory, memoryLimit),
      },
    };
  }
}
