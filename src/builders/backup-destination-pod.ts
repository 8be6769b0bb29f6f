/**
 * What a pod needs to reach a backup destination: the AWS_* variables every S3 tool reads (the
 * credentials from the destination's Secret, never copied into the manifest or the ConfigMap) and
 * the endpoint's CA bundle, mounted from its ConfigMap. The backup Jobs and, for spec.bootstrap,
 * the node pods use the same settings.
 */
import type { V1EnvVar, V1Volume, V1VolumeMount } from "@kubernetes/client-node";
import type { BackupDestination } from "../api/backup-types.ts";

export const BACKUP_CA_VOLUME = "backup-ca";
export const BACKUP_CA_DIR = "/etc/replistore/backup-ca";
const BACKUP_CA_FILE = "ca.crt";

/**
 * `optional`: for the node pods, which keep these settings after their restore; a Secret deleted
 * since then must not keep a restarted node from starting.
 */
export function destinationEnv(d: BackupDestination, optional = false): V1EnvVar[] {
  const env: V1EnvVar[] = [];
  if (d.endpoint !== undefined) env.push({ name: "AWS_ENDPOINT_URL_S3", value: d.endpoint });
  if (d.region !== undefined) env.push({ name: "AWS_REGION", value: d.region });
  if (d.credentials) {
    const { secretName, accessKeyIdKey, secretAccessKeyKey } = d.credentials;
    env.push(
      {
        name: "AWS_ACCESS_KEY_ID",
        valueFrom: {
          secretKeyRef: { name: secretName, key: accessKeyIdKey, ...(optional ? { optional } : {}) },
        },
      },
      {
        name: "AWS_SECRET_ACCESS_KEY",
        valueFrom: {
          secretKeyRef: { name: secretName, key: secretAccessKeyKey, ...(optional ? { optional } : {}) },
        },
      },
    );
  }
  if (d.caBundle) env.push({ name: "AWS_CA_BUNDLE", value: `${BACKUP_CA_DIR}/${BACKUP_CA_FILE}` });
  return env;
}

export function destinationVolumes(d: BackupDestination, optional = false): V1Volume[] {
  if (!d.caBundle) return [];
  return [
    {
      name: BACKUP_CA_VOLUME,
      configMap: {
        name: d.caBundle.configMapName,
        items: [{ key: d.caBundle.key, path: BACKUP_CA_FILE }],
        ...(optional ? { optional } : {}),
      },
    },
  ];
}

export function destinationVolumeMounts(d: BackupDestination): V1VolumeMount[] {
  return d.caBundle ? [{ name: BACKUP_CA_VOLUME, mountPath: BACKUP_CA_DIR, readOnly: true }] : [];
}
