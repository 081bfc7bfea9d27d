// Pod specs of the Redis and Sentinel StatefulSets, built from plain values so the component
// stays wiring and the tests can read every container's probes, resources and mounts.
import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { redisNames, serviceHost } from './naming.js';
import { mounts, pingCommand, redisTerminationGraceSeconds } from './redis-scripts.js';
import type { ContainerResources } from './stack-config.js';

type PodSpec = k8s.types.input.core.v1.PodSpec;
type EnvVar = k8s.types.input.core.v1.EnvVar;

/** What both pod kinds share. */
export interface RedisPodInputs {
  readonly namespace: string;
  readonly image: string;
  readonly resources: ContainerResources;
  readonly affinity: k8s.types.input.core.v1.Affinity;
  readonly podSecurity: k8s.types.input.core.v1.PodSecurityContext;
  readonly containerSecurity: k8s.types.input.core.v1.SecurityContext;
  readonly secretName: pulumi.Input<string>;
  readonly configName: pulumi.Input<string>;
  readonly sentinels: number;
  readonly masterName: string;
}

function fromSecret(name: string, secretName: pulumi.Input<string>, key: string): EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
}

/** Variables the scripts of redis-scripts.ts read. */
function topologyEnv(inputs: RedisPodInputs): EnvVar[] {
  return [
    { name: 'MASTER_NAME', value: inputs.masterName },
    { name: 'SENTINELS', value: String(inputs.sentinels) },
    { name: 'REDIS_HEADLESS', value: serviceHost(redisNames.headless, inputs.namespace) },
    {
      name: 'SENTINEL_HEADLESS',
      value: serviceHost(redisNames.sentinelHeadless, inputs.namespace),
    },
    fromSecret('SENTINEL_PASSWORD', inputs.secretName, 'sentinel-password'),
  ];
}

function volumes(inputs: RedisPodInputs): k8s.types.input.core.v1.Volume[] {
  return [
    { name: 'config', configMap: { name: inputs.configName, defaultMode: 0o555 } },
    { name: 'secret', secret: { secretName: inputs.secretName, defaultMode: 0o440 } },
    { name: 'runtime', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
    { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
  ];
}

const readOnlyMounts = [
  { name: 'config', mountPath: mounts.config, readOnly: true },
  { name: 'secret', mountPath: mounts.secret, readOnly: true },
  { name: 'tmp', mountPath: '/tmp' },
];

function probes(port: number) {
  return {
    readinessProbe: { exec: { command: pingCommand(port) }, periodSeconds: 5, timeoutSeconds: 3 },
    livenessProbe: {
      exec: { command: pingCommand(port) },
      initialDelaySeconds: 20,
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 6,
    },
  };
}

/** A Redis pod: starts as master or replica, hands mastership off before it stops. */
export function redisPodSpec(inputs: RedisPodInputs): PodSpec {
  return {
    securityContext: inputs.podSecurity,
    affinity: inputs.affinity,
    terminationGracePeriodSeconds: redisTerminationGraceSeconds,
    automountServiceAccountToken: false,
    containers: [
      {
        name: 'redis',
        image: inputs.image,
        command: ['sh', `${mounts.config}/start-redis.sh`],
        ports: [{ name: 'redis', containerPort: redisNames.redisPort }],
        env: [
          ...topologyEnv(inputs),
          fromSecret('REDISCLI_AUTH', inputs.secretName, 'admin-password'),
        ],
        resources: inputs.resources,
        securityContext: inputs.containerSecurity,
        ...probes(redisNames.redisPort),
        lifecycle: { preStop: { exec: { command: ['sh', `${mounts.config}/pre-stop.sh`] } } },
        volumeMounts: [
          ...readOnlyMounts,
          { name: 'data', mountPath: mounts.data },
          { name: 'runtime', mountPath: mounts.runtime },
        ],
      },
    ],
    volumes: volumes(inputs),
  };
}

/** A Sentinel pod: writes its config (which Sentinel rewrites) to its own writable volume. */
export function sentinelPodSpec(inputs: RedisPodInputs & { readonly quorum: number }): PodSpec {
  return {
    securityContext: inputs.podSecurity,
    affinity: inputs.affinity,
    automountServiceAccountToken: false,
    containers: [
      {
        name: 'sentinel',
        image: inputs.image,
        command: ['sh', `${mounts.config}/start-sentinel.sh`],
        ports: [{ name: 'sentinel', containerPort: redisNames.sentinelPort }],
        env: [
          ...topologyEnv(inputs),
          { name: 'QUORUM', value: String(inputs.quorum) },
          fromSecret('REDISCLI_AUTH', inputs.secretName, 'sentinel-password'),
        ],
        resources: inputs.resources,
        securityContext: inputs.containerSecurity,
        ...probes(redisNames.sentinelPort),
        volumeMounts: [...readOnlyMounts, { name: 'sentinel-data', mountPath: mounts.data }],
      },
    ],
    volumes: [...volumes(inputs), { name: 'sentinel-data', emptyDir: { sizeLimit: '1Mi' } }],
  };
}
