# Certificates for the one-node cluster, made with openssl (sourced by up.sh). EC P-256 keys:
# milliseconds each. Every identity is a client certificate signed by one CA; the kubelet is a
# real node identity (system:node:<name>, checked by the Node authorizer), the rest are admins.

# issue NAME SUBJECT EXTENDED_KEY_USAGE [SUBJECT_ALT_NAMES]
_issue() {
  local dir="$1" name="$2" subject="$3" usage="$4" sans="${5:-}"
  {
    echo "[req]"
    echo "distinguished_name = dn"
    echo "[dn]"
    echo "[ext]"
    echo "basicConstraints = critical, CA:FALSE"
    echo "keyUsage = critical, digitalSignature"
    echo "extendedKeyUsage = $usage"
    [[ -n "$sans" ]] && echo "subjectAltName = $sans"
  } >"$dir/$name.cnf"
  openssl req -x509 -config "$dir/$name.cnf" -extensions ext \
    -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/$name.key" \
    -out "$dir/$name.crt" -subj "$subject" -days 3650 -CA "$dir/ca.crt" -CAkey "$dir/ca.key" 2>/dev/null
}

make_pki() {
  local dir="$1"
  mkdir -p "$dir"
  printf '%s\n' "[req]" "distinguished_name = dn" "[dn]" "[ext]" \
    "basicConstraints = critical, CA:TRUE" "keyUsage = critical, keyCertSign, cRLSign, digitalSignature" \
    "subjectKeyIdentifier = hash" >"$dir/ca.cnf"
  openssl req -x509 -config "$dir/ca.cnf" -extensions ext \
    -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/ca.key" \
    -out "$dir/ca.crt" -subj "/CN=replistore-cluster-ca" -days 3650 2>/dev/null
  local sans="DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc"
  sans+=", DNS:kubernetes.default.svc.$CLUSTER_DOMAIN, IP:127.0.0.1, IP:$NODE_IP, IP:$KUBERNETES_SERVICE_IP"
  _issue "$dir" apiserver "/CN=kube-apiserver" serverAuth "$sans"
  _issue "$dir" admin "/O=system:masters/CN=replistore-admin" clientAuth
  _issue "$dir" kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
  _issue "$dir" kubelet-serving "/CN=$NODE_NAME" serverAuth "DNS:$NODE_NAME, IP:$NODE_IP, IP:127.0.0.1"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/sa.key" 2>/dev/null
  openssl pkey -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
}

# write_kubeconfig PATH CERT_NAME: a kubeconfig with the certificates inlined.
write_kubeconfig() {
  local path="$1" name="$2" pki="$CLUSTER_DIR/pki"
  cat >"$path" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: replistore
  cluster:
    server: https://$NODE_IP:$APISERVER_PORT
    certificate-authority-data: $(base64 -w0 "$pki/ca.crt")
users:
- name: $name
  user:
    client-certificate-data: $(base64 -w0 "$pki/$name.crt")
    client-key-data: $(base64 -w0 "$pki/$name.key")
contexts:
- name: replistore
  context: {cluster: replistore, user: $name}
current-context: replistore
EOF
  chmod 600 "$path"
}
