// Pod settings every workload of the stack shares: the `restricted` Pod Security Standard and
// spreading replicas across nodes. Plain objects, so tests can compare them directly.
import type * as k8s from '@pulumi/kubernetes';

type PodSecurityContext = k8s.types.input.core.v1.PodSecurityContext;
type SecurityContext = k8s.types.input.core.v1.SecurityContext;
type Affinity = k8s.types.input.core.v1.Affinity;

/** How strictly replicas are kept on different nodes: `preferred` lets kind's single node work. */
export type AntiAffinity = 'required' | 'preferred';

/** Pod-level context of the restricted profile; `uid` owns the data volume through fsGroup. */
export function restrictedPodSecurity(uid: number): PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level context of the restricted profile, with a read-only root filesystem. */
export function restrictedContainerSecurity(): SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Keeps pods matching `labels` on different nodes, strictly or as a preference. */
export function spreadAcrossNodes(labels: Record<string, string>, mode: AntiAffinity): Affinity {
  const term = { labelSelector: { matchLabels: labels }, topologyKey: 'kubernetes.io/hostname' };
  if (mode === 'required') {
    return { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } };
  }
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }],
    },
  };
}
