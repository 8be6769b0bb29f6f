# The default StorageClass for the one-node cluster (sourced by up.sh): local-path-provisioner as a
# host process with the admin kubeconfig; its helper pods (busybox, made by images.sh) create and
# remove each volume's directory under $CLUSTER_DIR/volumes.
#
# NetworkPolicy is not enforced: kube-network-policies needs the nftables `queue` expression, and
# this kernel is built without CONFIG_NFT_QUEUE (see docs/development.md).

start_addons() {
  local dir="$CLUSTER_DIR/local-path"
  mkdir -p "$dir" "$CLUSTER_DIR/volumes"
  cat >"$dir/config.json" <<EOF
{"nodePathMap": [{"node": "DEFAULT_PATH_FOR_NON_LISTED_NODES", "paths": ["$CLUSTER_DIR/volumes"]}]}
EOF
  cat >"$dir/helperPod.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata: {name: helper-pod}
spec:
  containers:
  - name: helper-pod
    image: $HELPER_IMAGE
    imagePullPolicy: IfNotPresent
EOF
  kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata: {name: local-path-storage}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: local-path-provisioner-service-account, namespace: local-path-storage}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: local-path-config, namespace: local-path-storage}
data:
  setup: |-
    #!/bin/sh
    set -eu
    mkdir -m 0777 -p "\$VOL_DIR"
  teardown: |-
    #!/bin/sh
    set -eu
    rm -rf "\$VOL_DIR"
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local-path
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: rancher.io/local-path
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Delete
EOF
  start local-path-provisioner "$logs/local-path-provisioner.log" "$node_bin/local-path-provisioner" \
    start --kubeconfig="$KUBECONFIG_PATH" --config="$dir/config.json" \
    --helper-pod-file="$dir/helperPod.yaml" --namespace=local-path-storage \
    --service-account-name=local-path-provisioner-service-account --provisioner-name=rancher.io/local-path
}
