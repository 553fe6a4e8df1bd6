import { TOPIC_SPECS } from '@keyway/contracts';
import { repoRoot } from '@keyway/platform-testing';
import { ENV_SCHEMAS, environmentVariables, isSecret, type Service } from '../config-docs/env-vars';
import { type K8sObject, render } from './render';

/**
 * What every workload of every overlay must satisfy on a real cluster: the Pod Security
 * "restricted" profile, probes, requests and limits, a PodDisruptionBudget and an autoscaler per
 * Keyway service, graceful termination longer than SHUTDOWN_TIMEOUT_MS, secrets only from
 * Secrets, and only variables the services know. Rendered with `kubectl kustomize`, offline.
 */
const root = repoRoot();
const OVERLAYS = ['overlays/dev', 'overlays/production', 'overlays/podman'];
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];

interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: object } }[];
  envFrom?: { configMapRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown> & {
    capabilities?: { drop?: string[]; add?: string[] };
  };
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  startupProbe?: { httpGet?: { path: string } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  volumeMounts?: { name: string; mountPath: string }[];
  ports?: { hostPort?: number }[];
}
interface PodSpec {
  securityContext?: Record<string, unknown> & { seccompProfile?: { type: string } };
  containers: Container[];
  initContainers?: Container[];
  volumes?: Record<string, unknown>[];
  terminationGracePeriodSeconds?: number;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  automountServiceAccountToken?: boolean;
}

function podSpec(object: K8sObject): PodSpec {
  const spec = object.spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (object.kind === 'CronJob') return spec['jobTemplate'].spec.template.spec as PodSpec;
  return spec['template'].spec as PodSpec;
}
const isKeyway = (object: K8sObject) =>
  object.metadata.labels?.['app.kubernetes.io/part-of'] === 'keyway';
const serviceOf = (object: K8sObject) =>
  object.metadata.labels?.['app.kubernetes.io/component'] as Service | 'migrate';

/** Violations of the Pod Security Standards' "restricted" profile (v1.32), one line each. */
function restrictedViolations(pod: PodSpec): string[] {
  const problems: string[] = [];
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) problems.push('host namespaces');
  const allowedVolumes = [
    'configMap',
    'csi',
    'downwardAPI',
    'emptyDir',
    'ephemeral',
    'persistentVolumeClaim',
    'projected',
    'secret',
  ];
  for (const volume of pod.volumes ?? []) {
    const type = Object.keys(volume).find((key) => key !== 'name');
    if (!type || !allowedVolumes.includes(type)) problems.push(`volume type ${type}`);
  }
  const podSeccomp = pod.securityContext?.seccompProfile?.type;
  for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
    const context = container.securityContext ?? {};
    const at = `container ${container.name}`;
    if (context['privileged'] === true) problems.push(`${at}: privileged`);
    if (context['allowPrivilegeEscalation'] !== false)
      problems.push(`${at}: allowPrivilegeEscalation is not false`);
    if (context['runAsNonRoot'] !== true && pod.securityContext?.['runAsNonRoot'] !== true) {
      problems.push(`${at}: runAsNonRoot is not true`);
    }
    if (context['runAsUser'] === 0 || pod.securityContext?.['runAsUser'] === 0)
      problems.push(`${at}: runAsUser 0`);
    const seccomp =
      (context['seccompProfile'] as { type?: string } | undefined)?.type ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
      problems.push(`${at}: seccompProfile`);
    if (!context.capabilities?.drop?.includes('ALL'))
      problems.push(`${at}: capabilities not dropping ALL`);
    if ((context.capabilities?.add ?? []).some((cap) => cap !== 'NET_BIND_SERVICE')) {
      problems.push(`${at}: adds capabilities`);
    }
    if ((container.ports ?? []).some((port) => port.hostPort)) problems.push(`${at}: hostPort`);
  }
  return problems;
}

describe.each(OVERLAYS)('k8s/%s', (overlay) => {
  const objects = render(root, overlay);
  const workloads = objects.filter((object) => WORKLOAD_KINDS.includes(object.kind));
  const keywayDeployments = objects.filter((o) => o.kind === 'Deployment' && isKeyway(o));
  const configMaps = objects.filter((o) => o.kind === 'ConfigMap');
  const config = configMaps.find((o) => o.metadata.name === 'keyway-config');

  it('runs the three services and the migration Job', () => {
    expect(keywayDeployments.map(serviceOf).sort()).toEqual(['audit', 'gateway', 'identity']);
    expect(workloads.some((o) => o.kind === 'Job' && serviceOf(o) === 'migrate')).toBe(true);
  });

  it.each(['restricted profile', 'requests and limits', 'probes'])('every workload: %s', (what) => {
    const problems = workloads.flatMap((workload) => {
      const pod = podSpec(workload);
      const at = `${workload.kind}/${workload.metadata.name}`;
      if (what === 'restricted profile') return restrictedViolations(pod).map((p) => `${at}: ${p}`);
      if (what === 'requests and limits') {
        return pod.containers
          .filter(
            (c) =>
              !(
                c.resources?.requests?.['cpu'] &&
                c.resources.requests['memory'] &&
                c.resources.limits?.['memory'] &&
                c.resources.limits['cpu']
              ),
          )
          .map((c) => `${at}: container ${c.name} lacks cpu/memory requests or limits`);
      }
      if (workload.kind === 'Job' || workload.kind === 'CronJob') return [];
      return pod.containers
        .filter((c) => !c.readinessProbe || !c.livenessProbe)
        .map((c) => `${at}: container ${c.name} lacks a readiness or liveness probe`);
    });
    expect(problems).toEqual([]);
  });

  it('Keyway pods: health probes, read-only root with /tmp, no API token, graceful termination', () => {
    const timeoutMs = Number(config?.data?.['SHUTDOWN_TIMEOUT_MS']);
    expect(timeoutMs).toBeGreaterThan(0);
    for (const deployment of keywayDeployments) {
      const pod = podSpec(deployment);
      const [container] = pod.containers;
      expect(container?.startupProbe?.httpGet?.path).toBe('/health/live');
      expect(container?.readinessProbe?.httpGet?.path).toBe('/health/ready');
      expect(container?.livenessProbe?.httpGet?.path).toBe('/health/live');
      expect(container?.securityContext?.['readOnlyRootFilesystem']).toBe(true);
      expect(container?.volumeMounts).toContainEqual(
        expect.objectContaining({ mountPath: '/tmp' }),
      );
      expect(pod.automountServiceAccountToken).toBe(false);
      const preStop = container?.lifecycle?.preStop?.exec?.command ?? [];
      const pauseS = preStop[0] === 'sleep' ? Number(preStop[1]) : 0;
      // SIGTERM comes after preStop; the service then needs up to SHUTDOWN_TIMEOUT_MS.
      expect((pod.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(
        timeoutMs + pauseS * 1000,
      );
      expect(deployment.spec?.['template']).toMatchObject({
        metadata: {
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/metrics' },
        },
      });
    }
  });

  it('a PodDisruptionBudget and an autoscaler for every Keyway service', () => {
    for (const deployment of keywayDeployments) {
      const labels = (
        deployment.spec?.['template'] as { metadata: { labels: Record<string, string> } }
      ).metadata.labels;
      const selects = (o: K8sObject) =>
        Object.entries(
          (o.spec?.['selector'] as { matchLabels: Record<string, string> }).matchLabels,
        ).every(([key, value]) => labels[key] === value);
      expect(objects.filter((o) => o.kind === 'PodDisruptionBudget' && selects(o))).toHaveLength(1);
      const hpa = objects.find(
        (o) =>
          o.kind === 'HorizontalPodAutoscaler' &&
          (o.spec?.['scaleTargetRef'] as { name: string }).name === deployment.metadata.name,
      );
      expect(hpa?.spec?.['minReplicas']).toBeLessThanOrEqual(hpa?.spec?.['maxReplicas'] as number);
    }
  });

  it('denies by default what the SPEC does not draw, and lets audit reach the gateway', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    expect(policies.find((o) => o.metadata.name === 'keyway-default-deny')?.spec).toMatchObject({
      podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'keyway' } },
      policyTypes: ['Ingress', 'Egress'],
    });
    expect(
      JSON.stringify(policies.find((o) => o.metadata.name === 'keyway-audit')?.spec),
    ).toContain('"app.kubernetes.io/name":"keyway-gateway"');
  });

  it('sets only variables the services know, and every secret from a Secret', () => {
    const known = new Map(
      (Object.keys(ENV_SCHEMAS) as Service[]).map((service) => [
        service,
        new Set(
          environmentVariables(root)
            .filter((v) => v.service === service)
            .map((v) => v.name),
        ),
      ]),
    );
    const problems: string[] = [];
    for (const workload of workloads.filter(isKeyway)) {
      for (const container of podSpec(workload).containers) {
        const service = (workload.kind === 'Job' ? container.name : serviceOf(workload)) as Service;
        const names = [
          ...(container.env ?? []).map((e) => e.name),
          ...(container.envFrom ?? []).flatMap((from) => {
            const map = configMaps.find((o) => o.metadata.name === from.configMapRef?.name);
            if (!map) problems.push(`${service}: no ConfigMap ${from.configMapRef?.name}`);
            return Object.keys(map?.data ?? {});
          }),
        ];
        for (const name of names) {
          if (!known.get(service)?.has(name)) problems.push(`${service}: unknown ${name}`);
        }
        for (const entry of container.env ?? []) {
          if (isSecret(entry.name) && !entry.valueFrom?.secretKeyRef)
            problems.push(`${service}: ${entry.name} not from a Secret`);
        }
        expect(new Set(names).size).toBe(names.length);
      }
    }
    for (const map of configMaps) {
      for (const name of Object.keys(map.data ?? {})) {
        if (isSecret(name))
          problems.push(`ConfigMap ${map.metadata.name} holds the secret ${name}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('k8s/overlays/production', () => {
  it('includes a ServiceMonitor for the three services', () => {
    const monitor = render(root, 'overlays/production').find((o) => o.kind === 'ServiceMonitor');
    expect(JSON.stringify(monitor?.spec)).toContain('keyway-audit');
  });
});

describe('k8s/extras/strimzi', () => {
  it('declares every topic of the contracts with its partitions and retention', () => {
    const topics = render(root, 'extras/strimzi')
      .filter((o) => o.kind === 'KafkaTopic')
      .map((o) => {
        const spec = o.spec as {
          topicName: string;
          partitions: number;
          config: Record<string, number | string>;
        };
        return {
          name: spec.topicName,
          partitions: spec.partitions,
          retentionMs: Number(spec.config['retention.ms']),
          cleanupPolicy: spec.config['cleanup.policy'],
        };
      });
    expect(topics.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      TOPIC_SPECS.map((t) => ({
        name: t.name,
        partitions: t.partitions,
        retentionMs: t.retentionMs ?? -1,
        cleanupPolicy: t.cleanupPolicy,
      })).sort((a, b) => a.name.localeCompare(b.name)),
    );
  });
});
