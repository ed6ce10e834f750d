#!/usr/bin/env bash
# System packages the test suite needs beyond npm, installed the same way on a fresh machine and in `.ci/run`:
# - Node >= 20 (with npm);
# - Debian's `chromium`, whose SwiftShader Vulkan driver (/usr/lib/chromium/vk_swiftshader_icd.json) gives
#   WebGPU without a GPU, both to Dawn in Node (npm `webgpu`) and to the headless browser tests, and
#   `libvulkan1`, the Vulkan loader that Dawn opens;
# - the fonts the OCR lines data set is rendered in (accuracy/ocr-lines.ts): DejaVu and Liberation for Latin
#   text, Noto CJK for Chinese.
set -euo pipefail
node -e 'const [major] = process.versions.node.split(".").map(Number); if (major < 20) { console.error(`dlc needs Node >= 20, found ${process.version}`); process.exit(1); }'
missing=()
[ -e /usr/lib/chromium/vk_swiftshader_icd.json ] || missing+=(chromium)
ldconfig -p | grep -q 'libvulkan\.so\.1' || missing+=(libvulkan1)
command -v fc-list >/dev/null || missing+=(fontconfig)
families="$(fc-list : family 2>/dev/null || true)"
grep -q 'DejaVu Serif' <<<"$families" || missing+=(fonts-dejavu-core)
grep -q 'Liberation Sans Narrow' <<<"$families" || missing+=(fonts-liberation)
grep -q 'Noto Sans CJK SC' <<<"$families" || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
