import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { redisClientLabel, redisNames, redisUsers, selectorLabels } from './naming.js';
import {
  type AntiAffinity,
  restrictedContainerSecurity,
  restrictedPodSecurity,
  spreadAcrossNodes,
} from './pod-defaults.js';
import {
  maxmemoryFor,
  redisVersionOf,
  renderAclFile,
  renderRedisConf,
  renderReplicationAuth,
  renderSentinelAuth,
  replicaAclRules,
  sentinelAclRules,
  sentinelMinAvailable,
  serviceAclRules,
  splitSentinelConf,
} from './redis-config.js';
import { redisPodSpec, sentinelPodSpec } from './redis-pods.js';
import { mounts, preStopRedis, startRedis, startSentinel } from './redis-scripts.js';
import type { ContainerResources } from './stack-config.js';

export interface RedisHaArgs {
  /** Namespace every object is created in (pod DNS names are derived from it). */
  readonly namespace: string;
  /** Redis pods: pod 0 starts as master, the others as its replicas. */
  readonly redisReplicas: number;
  /** Sentinel pods. */
  readonly sentinelReplicas: number;
  /** Sentinels that must agree the master is down. */
  readonly sentinelQuorum: number;
  /** Name the sentinels monitor the master under. */
  readonly masterName: string;
  /** Image of both Redis and Sentinel. */
  readonly image: string;
  /** Size of each Redis pod's persistent volume. */
  readonly storageSize: string;
  /** Storage class of those volumes; undefined uses the cluster default. */
  readonly storageClass: string | undefined;
  /** Prefix of the keys the service's ACL user may touch. */
  readonly keyPrefix: string;
  /** Resources of each Redis container. */
  readonly redisResources: ContainerResources;
  /** Resources of each Sentinel container. */
  readonly sentinelResources: ContainerResources;
  /** Whether pods of one kind must, or only should, run on distinct nodes. */
  readonly antiAffinity: AntiAffinity;
  /** Text of deploy/redis/redis.conf, the shared Redis settings. */
  readonly sharedRedisConf: string;
  /** Text of deploy/redis/sentinel.conf, the shared Sentinel settings. */
  readonly sharedSentinelConf: string;
}

/** Redis master + replicas with persistent AOF, watched by Sentinel, reachable by the service. */
export class RedisHa extends pulumi.ComponentResource {
  /** Kubernetes Secret holding the passwords (keys `service-password`, `sentinel-password`). */
  readonly secretName: pulumi.Output<string>;
  /** ClusterIP address of the Sentinel Service, `host:port`. */
  readonly sentinelServiceAddress: pulumi.Output<string>;

  constructor(name: string, args: RedisHaArgs, opts?: pulumi.ComponentResourceOptions) {
    super('auth-stack:redis:RedisHa', name, {}, opts);
    const namespace = args.namespace;
    const redisLabels = selectorLabels('redis');
    const sentinelLabels = selectorLabels('sentinel');

    // One random password per ACL user, so revoking one role never rotates the others.
    const password = (role: string) =>
      new random.RandomPassword(`${name}-${role}`, { length: 32, special: false }, { parent: this })
        .result;
    const admin = password('admin');
    const service = password('service');
    const sentinelUser = password('sentinel-user');
    const replica = password('replica');
    const sentinelOwn = password('sentinel');

    // Credentials and the files that carry them, kept out of the ConfigMap and out of argv.
    const secret = new k8s.core.v1.Secret(
      `${name}-auth`,
      {
        metadata: { name: redisNames.secret, namespace },
        stringData: pulumi.secret(
          pulumi
            .all([admin, service, sentinelUser, replica, sentinelOwn])
            .apply(([a, s, su, r, so]) => {
              const auth = renderSentinelAuth(args.masterName, so, redisUsers.sentinel, su);
              return {
                'admin-password': a,
                'service-password': s,
                'sentinel-password': so,
                'users.acl': renderAclFile(a, [
                  {
                    name: redisUsers.service,
                    password: s,
                    rules: serviceAclRules(args.keyPrefix, redisVersionOf(args.image)),
                  },
                  { name: redisUsers.sentinel, password: su, rules: sentinelAclRules },
                  { name: redisUsers.replica, password: r, rules: replicaAclRules },
                ]),
                'replication.conf': renderReplicationAuth(redisUsers.replica, r),
                'sentinel-auth.conf': auth.global,
                'sentinel-master-auth.conf': auth.perMaster,
              };
            }),
        ),
      },
      { parent: this },
    );

    // The shared settings plus the static per-node lines, and the start and pre-stop scripts.
    const sentinelParts = splitSentinelConf(args.sharedSentinelConf, args.masterName);
    const config = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      {
        metadata: { name: redisNames.config, namespace },
        data: {
          'redis.conf': renderRedisConf(args.sharedRedisConf, {
            port: redisNames.redisPort,
            bind: '* -::*',
            dir: mounts.data,
            aclFile: `${mounts.secret}/users.acl`,
            includes: [`${mounts.secret}/replication.conf`],
            maxmemoryBytes: maxmemoryFor(args.redisResources.limits.memory),
          }),
          'sentinel-head.conf': `${sentinelParts.global}port ${redisNames.sentinelPort}\ndir ${mounts.data}\n`,
          'sentinel-master.conf': sentinelParts.perMaster,
          'start-redis.sh': startRedis,
          'start-sentinel.sh': startSentinel,
          'pre-stop.sh': preStopRedis,
        },
      },
      { parent: this },
    );

    // Stable pod DNS names (also before readiness) for replication and Sentinel hostnames.
    const headless = (serviceName: string, labels: Record<string, string>, port: number) =>
      new k8s.core.v1.Service(
        `${name}-${serviceName}`,
        {
          metadata: { name: serviceName, namespace, labels },
          spec: {
            clusterIP: 'None',
            publishNotReadyAddresses: true,
            selector: labels,
            ports: [{ name: 'tcp', port, targetPort: port }],
          },
        },
        { parent: this },
      );
    headless(redisNames.headless, redisLabels, redisNames.redisPort);
    headless(redisNames.sentinelHeadless, sentinelLabels, redisNames.sentinelPort);

    // One stable address for people and tools that just need "a sentinel".
    const sentinelService = new k8s.core.v1.Service(
      `${name}-sentinel`,
      {
        metadata: { name: redisNames.sentinelService, namespace, labels: sentinelLabels },
        spec: {
          selector: sentinelLabels,
          ports: [
            {
              name: 'sentinel',
              port: redisNames.sentinelPort,
              targetPort: redisNames.sentinelPort,
            },
          ],
        },
      },
      { parent: this },
    );

    const podDefaults = {
      podSecurity: restrictedPodSecurity(999),
      containerSecurity: restrictedContainerSecurity(),
      secretName: secret.metadata.name,
      configName: config.metadata.name,
      namespace,
    };

    // Redis itself: one persistent volume per pod keeps the AOF across restarts and moves.
    new k8s.apps.v1.StatefulSet(
      `${name}-redis`,
      {
        metadata: { name: redisNames.statefulSet, namespace, labels: redisLabels },
        spec: {
          serviceName: redisNames.headless,
          replicas: args.redisReplicas,
          selector: { matchLabels: redisLabels },
          template: {
            metadata: { labels: { ...redisLabels, ...redisClientLabel } },
            spec: redisPodSpec({
              ...podDefaults,
              image: args.image,
              resources: args.redisResources,
              affinity: spreadAcrossNodes(redisLabels, args.antiAffinity),
              sentinels: args.sentinelReplicas,
              masterName: args.masterName,
            }),
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data' },
              spec: {
                accessModes: ['ReadWriteOnce'],
                storageClassName: args.storageClass,
                resources: { requests: { storage: args.storageSize } },
              },
            },
          ],
        },
      },
      { parent: this },
    );

    // Sentinels in their own pods, so losing a Redis pod never also loses a voter.
    new k8s.apps.v1.StatefulSet(
      `${name}-sentinel`,
      {
        metadata: { name: redisNames.sentinelStatefulSet, namespace, labels: sentinelLabels },
        spec: {
          serviceName: redisNames.sentinelHeadless,
          replicas: args.sentinelReplicas,
          podManagementPolicy: 'Parallel',
          selector: { matchLabels: sentinelLabels },
          template: {
            metadata: { labels: { ...sentinelLabels, ...redisClientLabel } },
            spec: sentinelPodSpec({
              ...podDefaults,
              image: args.image,
              resources: args.sentinelResources,
              affinity: spreadAcrossNodes(sentinelLabels, args.antiAffinity),
              sentinels: args.sentinelReplicas,
              masterName: args.masterName,
              quorum: args.sentinelQuorum,
            }),
          },
        },
      },
      { parent: this },
    );

    // A voluntary disruption (node drain) takes at most one Redis pod at a time.
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-redis`,
      {
        metadata: { name: redisNames.statefulSet, namespace },
        spec: { maxUnavailable: 1, selector: { matchLabels: redisLabels } },
      },
      { parent: this },
    );

    // A drain never leaves fewer sentinels than a failover needs to be authorised.
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-sentinel`,
      {
        metadata: { name: redisNames.sentinelStatefulSet, namespace },
        spec: {
          minAvailable: sentinelMinAvailable(args.sentinelReplicas, args.sentinelQuorum),
          selector: { matchLabels: sentinelLabels },
        },
      },
      { parent: this },
    );

    // Only pods labelled as Redis clients (the service, Redis and Sentinel pods) reach Redis.
    const onlyClients = (workload: 'redis' | 'sentinel', port: number) =>
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${workload}`,
        {
          metadata: { name: `${workload}-clients-only`, namespace },
          spec: {
            podSelector: { matchLabels: selectorLabels(workload) },
            policyTypes: ['Ingress'],
            ingress: [
              {
                from: [{ podSelector: { matchLabels: { ...redisClientLabel } } }],
                ports: [{ port, protocol: 'TCP' }],
              },
            ],
          },
        },
        { parent: this },
      );
    onlyClients('redis', redisNames.redisPort);
    onlyClients('sentinel', redisNames.sentinelPort);

    this.secretName = secret.metadata.name;
    this.sentinelServiceAddress = pulumi.interpolate`${sentinelService.metadata.name}.${namespace}.svc.cluster.local:${redisNames.sentinelPort}`;
    this.registerOutputs({
      secretName: this.secretName,
      sentinelServiceAddress: this.sentinelServiceAddress,
    });
  }
}
