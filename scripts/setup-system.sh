#!/usr/bin/env bash
# System packages the test suite needs beyond npm. Today that is nothing: Node >= 20 (with npm) is the
# only requirement. This script is where Debian packages go (for example `chromium` for WebGPU tests on
# SwiftShader) so that `.ci/run` and a fresh machine install them the same way.
set -euo pipefail
node -e 'const [major] = process.versions.node.split(".").map(Number); if (major < 20) { console.error(`dlc needs Node >= 20, found ${process.version}`); process.exit(1); }'
