import { fileURLToPath } from 'node:url';
import * as docker from '@pulumi/docker';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import {
  imageValues,
  serviceReleaseName,
  serviceSecretName,
  serviceValues,
} from './service-values.js';
import type { StackConfig } from './stack-config.js';

/** Repository root: the image's build context, since the lockfile lives there. */
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** The chart that is the single source of the service's manifests. */
export const chartPath = fileURLToPath(new URL('../charts/auth-service', import.meta.url));

export interface AuthServiceArgs {
  /** Validated stack configuration (namespace, replicas, image, Redis topology). */
  readonly config: StackConfig;
  /** Kubernetes Secret with the Redis passwords; the chart reads them as environment. */
  readonly redisSecretName: pulumi.Input<string>;
}

/** The authentication service: its image, its signing-key Secret and the chart that runs it. */
export class AuthService extends pulumi.ComponentResource {
  /** Image reference the pods run. */
  readonly image: pulumi.Output<string>;

  constructor(name: string, args: AuthServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super('auth-stack:service:AuthService', name, {}, opts);
    const { config } = args;

    // The image from app/Dockerfile; kind and minikube load it instead of pulling it.
    const image = new docker.Image(
      `${name}-image`,
      {
        imageName: `${config.appImageName}:${pulumi.getStack()}`,
        build: { context: repoRoot, dockerfile: `${repoRoot}app/Dockerfile` },
        skipPush: !config.appImagePush,
      },
      { parent: this },
    );

    // A 256-bit HS256 signing key; the alphabet is a subset of base64url, as the service expects.
    const signingKey = new random.RandomPassword(
      `${name}-jwt-key`,
      { length: 43, special: false },
      { parent: this },
    );

    // The service's own secrets, read by the chart through secretKeyRef and never as a value.
    const secret = new k8s.core.v1.Secret(
      `${name}-secrets`,
      {
        metadata: { name: serviceSecretName, namespace: config.kubeNamespace },
        stringData: {
          'jwt-signing-keys': pulumi.secret(pulumi.interpolate`k1:${signingKey.result}`),
        },
      },
      { parent: this },
    );

    // A pushed image is pinned by digest; a locally loaded one by the stack's tag.
    const reference = config.appImagePush ? image.repoDigest : image.imageName;

    // The Deployment, Service, autoscaler, disruption budget and scraping, all from the chart.
    new k8s.helm.v4.Chart(
      `${name}-chart`,
      {
        name: serviceReleaseName,
        chart: chartPath,
        namespace: config.kubeNamespace,
        values: pulumi
          .all([reference, args.redisSecretName])
          .apply(([ref]) => serviceValues(config, imageValues(ref))),
      },
      { parent: this, dependsOn: [secret] },
    );

    this.image = reference;
    this.registerOutputs({ image: this.image });
  }
}
