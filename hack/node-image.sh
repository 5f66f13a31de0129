#!/usr/bin/env bash
# node-image.sh REF OUT.tar BINARY USER builds an image of one static
# binary on an empty base, run as /<name of BINARY> by USER (uid:gid), written
# as an OCI image layout in a tar that `ctr images import` reads, named REF.
# No registry can be reached here, so the single-node cluster's images
# (hack/node-up.sh: the pod sandbox "pause" image, CoreDNS) are made
# locally. It is built by hand (sha256sum and JSON) because an image layout
# is only that, and this needs no dependency; timestamps are 0, so the same
# binary gives the same digest.
set -euo pipefail

ref=$1 out=$2 binary=$3 user=$4
name=$(basename "$binary")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs" "$work/oci/blobs/sha256"

cp "$binary" "$work/rootfs/$name"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/rootfs" -cf "$work/layer.tar" "$name"

# blob FILE: stores FILE as a blob, prints "<digest> <size>".
blob() {
  local d
  d=$(sha256sum "$1" | cut -d' ' -f1)
  cp "$1" "$work/oci/blobs/sha256/$d"
  echo "sha256:$d $(stat -c %s "$1")"
}
read -r layer_digest layer_size < <(blob "$work/layer.tar")
# The uncompressed layer's digest is also its diff id.
printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/%s"],"User":"%s"},"rootfs":{"type":"layers","diff_ids":["%s"]}}' \
  "$name" "$user" "$layer_digest" >"$work/config.json"
read -r config_digest config_size < <(blob "$work/config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}' \
  "$config_digest" "$config_size" "$layer_digest" "$layer_size" >"$work/manifest.json"
read -r manifest_digest manifest_size < <(blob "$work/manifest.json")
# io.containerd.image.name is the full name ctr import gives the image.
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%d,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
  "$manifest_digest" "$manifest_size" "$ref" "${ref##*:}" >"$work/oci/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$work/oci/oci-layout"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/oci" -cf "$out" .
echo "node-image: $ref $manifest_digest -> $out" >&2
