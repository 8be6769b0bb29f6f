#!/usr/bin/env bash
# Copies sigs.k8s.io/kube-network-policies $KNP_VERSION from the Go module cache into DEST and patches
# it for this machine kind's kernel, which has no CONFIG_NFT_QUEUE (`nft add rule ... queue num 100`
# fails with "No such file or directory") but has nft_compat and xtables' NFQUEUE target:
#   - the rules queue packets with the NFQUEUE target (nfqueue_compat.go.txt) instead of nft's queue
#     expression, so the table is `ip kube-network-policies` rather than `inet` (xtables targets
#     are per address family; the cluster is IPv4 only);
#   - a packet from an address that is no pod's, with NRI off, is judged without a pod instead of
#     dereferencing the absent NRI plugin (upstream crashes with a nil pointer there).
# Each substitution must apply exactly as often as expected: a new upstream version that moved the
# code fails here rather than building an agent that enforces nothing.
# Usage: patch-upstream.sh DEST   (run from the wrapper module's directory, which pins the version)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="$1"
module=sigs.k8s.io/kube-network-policies
version="$(cd "$here" && go list -m -f '{{.Version}}' "$module")"
src="$(cd "$here" && go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[[ -d "$src" ]] || { echo "netpol: cannot find $module@$version in the module cache" >&2; exit 1; }
rm -rf "$dest"
cp -r "$src" "$dest"
chmod -R u+w "$dest"
pkg="$dest/pkg/networkpolicy"
cp "$here/nfqueue_compat.go.txt" "$pkg/nfqueue_compat.go"

# substitute FILE EXPECTED PERL-EXPRESSION
substitute() {
  local file="$1" expected="$2" expression="$3" count
  count="$(EXPR="$expression" perl -0 -i -pe 'BEGIN { $n = 0 } $n += eval "s$ENV{EXPR}"; END { print STDERR $n }' "$file" 2>&1 >/dev/null)" || true
  # perl -i writes the file; the count comes back on stderr.
  if [[ "$count" != "$expected" ]]; then
    echo "netpol: patching $module@$version: ${file#"$dest"/} changed $count times, expected $expected; update patch-upstream.sh" >&2
    exit 1
  fi
}
queue_block='/queue := &expr\.Queue\{Num: uint16\(c\.config\.QueueID\)\}\n\s*if c\.config\.FailOpen \{\n\s*queue\.Flag = expr\.QueueFlagBypass\n\s*\}/queue := nfqueueTarget(uint16(c.config.QueueID), c.config.FailOpen)/g'
substitute "$pkg/controller.go" 2 "$queue_block"
substitute "$pkg/controller.go" 2 '/nftables\.TableFamilyINet/nftables.TableFamilyIPv4/g'
substitute "$pkg/controller.go" 1 '/(\n(\s*)podKey := c\.nriPlugin\.GetPodFromIP\(podIP\))/\n$2if c.nriPlugin == nil {\n$2\treturn nil\n$2}$1/g'
substitute "$pkg/dnsagent.go" 1 '/&expr\.Queue\{Num: uint16\(n\.nfQueueID\), Flag: expr\.QueueFlagBypass\}/nfqueueTarget(uint16(n.nfQueueID), true)/g'
substitute "$pkg/dnsagent.go" 2 '/nftables\.TableFamilyINet/nftables.TableFamilyIPv4/g'
