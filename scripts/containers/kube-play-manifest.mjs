// Turns the rendered `podman` overlay (stdin) into what `podman kube play` runs here
// (scripts/containers/kube-play.sh): its ConfigMaps and Deployments, pointed at this run's
// ports, databases, consumer groups and test Kafka; its Secrets as podman secrets (Podman 4.3
// reads a secretKeyRef from a podman secret holding the Secret's `data` as JSON).
//
// Env: RUN_ID, PORT_IDENTITY, PORT_GATEWAY, PORT_AUDIT, KAFKA_BROKERS, POSTGRES_HOST,
//      POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD, REDIS_URL; argv[2]: output directory.
// Writes OUT/play.yaml and OUT/secret-<name>.json; prints the podman secret names, one a line.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const out = process.argv[2];
const runId = env('RUN_ID');
const ports = {
  identity: env('PORT_IDENTITY'),
  gateway: env('PORT_GATEWAY'),
  audit: env('PORT_AUDIT'),
};
const docs = parseAllDocuments(readFileSync(0, 'utf8')).map((doc) => doc.toJS());
const kept = [];
const secrets = [];

const setEnv = (container, name, value) => {
  const entry = container.env?.find((item) => item.name === name);
  if (entry) {
    delete entry.valueFrom;
    entry.value = value;
  } else {
    (container.env ??= []).push({ name, value });
  }
};

for (const doc of docs) {
  if (doc.kind === 'Secret') {
    const data = { ...doc.data };
    data['redis-url'] = Buffer.from(env('REDIS_URL')).toString('base64');
    data['postgres-password'] = Buffer.from(env('POSTGRES_PASSWORD', '')).toString('base64');
    writeFileSync(join(out, `secret-${doc.metadata.name}.json`), JSON.stringify(data), {
      mode: 0o600,
    });
    secrets.push(doc.metadata.name);
  } else if (doc.kind === 'ConfigMap') {
    const here = {
      KAFKA_BROKERS: env('KAFKA_BROKERS'),
      POSTGRES_HOST: env('POSTGRES_HOST'),
      POSTGRES_PORT: env('POSTGRES_PORT'),
      POSTGRES_USER: env('POSTGRES_USER'),
    };
    for (const name of Object.keys(doc.data ?? {})) if (name in here) doc.data[name] = here[name];
    kept.push(doc);
  } else if (doc.kind === 'Deployment') {
    const service = doc.metadata.labels['app.kubernetes.io/component'];
    doc.metadata.name = `${runId}-${doc.metadata.name}`;
    // Podman makes a named volume of each emptyDir: one per pod, not one shared by all three.
    const volumes = new Map();
    for (const volume of doc.spec.template.spec.volumes ?? []) {
      volumes.set(volume.name, `${doc.metadata.name}-${volume.name}`);
      volume.name = volumes.get(volume.name);
    }
    for (const container of doc.spec.template.spec.containers) {
      // On the host network a containerPort would be a port mapping, which Podman refuses there.
      delete container.ports;
      for (const mount of container.volumeMounts ?? []) mount.name = volumes.get(mount.name);
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        if (container[probe]?.httpGet) container[probe].httpGet.port = Number(ports[service]);
      }
      setEnv(container, 'HTTP_PORT', ports[service]);
      setEnv(container, 'KAFKA_GROUP_ID', `${runId}-play-${service}`);
      if (service !== 'gateway')
        setEnv(container, 'POSTGRES_DATABASE', `e2e_${runId}_play_${service}`);
      if (service === 'audit') {
        setEnv(container, 'AUDIT_GATEWAY_URL', `http://127.0.0.1:${ports.gateway}`);
      }
    }
    kept.push(doc);
  }
}
writeFileSync(join(out, 'play.yaml'), kept.map((doc) => stringify(doc)).join('---\n'));
process.stdout.write(secrets.map((name) => `${name}\n`).join(''));
