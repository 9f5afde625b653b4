#!/usr/bin/env bash
# Packs bench/gpu-check/check.ts for an offline Linux x86-64 GPU host that has an NVIDIA driver but
# no Node.js, no node_modules and no network: .device/ gets this machine's node (xz), the Vulkan/EGL
# loader packages (../shared/device/prepare-gpu-bundle.sh) and gpu-check.tar.xz — the esbuild
# bundle plus the few files it loads at run time (dawn.node, the nsfwjs base models). ~50 MB.
# Usage, from the repo root after `npm ci`:  bash bench/gpu-check/bundle.sh
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
[ -f node_modules/webgpu/dist/linux-x64/dawn.node ] || { echo "bundle.sh: node_modules/webgpu is missing (npm ci)" >&2; exit 1; }
bash ../shared/device/prepare-gpu-bundle.sh >/dev/null
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# tfjs, its WebGPU backend and the engine are bundled; what is loaded by path at run time is not.
node -e "
require('esbuild').buildSync({
  entryPoints: ['bench/gpu-check/check.ts'], outfile: '$stage/check.cjs', bundle: true,
  platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error',
  external: ['webgpu', 'nsfwjs', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-backend-wasm'],
});"
mkdir -p "$stage/node_modules/webgpu/dist/linux-x64" "$stage/node_modules/nsfwjs/dist/cjs" "$stage/node_modules/nsfwjs/dist/models"
cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$stage/node_modules/webgpu/"
cp node_modules/webgpu/dist/linux-x64/dawn.node "$stage/node_modules/webgpu/dist/linux-x64/"
cp node_modules/nsfwjs/package.json "$stage/node_modules/nsfwjs/"
cp node_modules/nsfwjs/dist/cjs/index.js "$stage/node_modules/nsfwjs/dist/cjs/" # only resolved, to find models/
cp -r node_modules/nsfwjs/dist/models/mobilenet_v2 node_modules/nsfwjs/dist/models/inception_v3 "$stage/node_modules/nsfwjs/dist/models/"
tar -C "$stage" -cf - . | xz -T2 -6 > .device/gpu-check.tar.xz
du -sh .device
cat <<'MSG'
Ready. On the GPU host (the device tool: carry [".device"]), run:
  for f in .device/gl/*.deb; do dpkg -x $f /; done; ldconfig
  export XDG_RUNTIME_DIR=/tmp VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  xz -dc .device/node.xz > /tmp/node && chmod +x /tmp/node
  mkdir -p /tmp/gpu-check && tar -C /tmp/gpu-check -xJf .device/gpu-check.tar.xz
  cd /tmp/gpu-check && /tmp/node check.cjs --backend webgpu 2>&1 | tee "$OUT/gpu-check.log"
MSG
