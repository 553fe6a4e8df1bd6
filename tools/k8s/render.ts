import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A rendered Kubernetes object, as the checks read it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

/** `kubectl kustomize k8s/<dir>` (offline), parsed. */
export function render(root: string, dir: string): K8sObject[] {
  const text = execFileSync('kubectl', ['kustomize', join(root, 'k8s', dir)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return parseAllDocuments(text).map((doc) => doc.toJS() as K8sObject);
}
