#!/usr/bin/env bash
# Compares every TornadoVM kernel with the CPU kernel it replaces, on LLaVA shapes, and prints one
# table (CPU ms, device kernel and wall ms, speed-ups, max |diff| against the CPU result).
# Needs TORNADOVM_HOME (a TornadoVM SDK); builds the benchmarks jar with the tornado profile on
# first use and launches it through the SDK's argfile, as ./llava does for --backend tornado.
#   benchmarks/kernels.sh --quick          # one shape per kernel, few runs (PoCL, CPU OpenCL devices)
#   TORNADO_ARGFILE=$TORNADOVM_HOME/tornado-argfile-ptx benchmarks/kernels.sh   # NVIDIA, PTX backend
#   benchmarks/kernels.sh --help
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1; }
pick_java() {
  local c
  for c in "${JAVA_HOME:-}/bin/java" "$(command -v java 2>/dev/null || true)" /usr/lib/jvm/temurin-25-jdk-amd64/bin/java /usr/lib/jvm/*25*/bin/java; do
    if [ -x "$c" ] && [ "$(java_major "$c")" -ge 25 ] 2>/dev/null; then echo "$c"; return 0; fi
  done
  echo "kernels.sh: a JDK 25 is required (set JAVA_HOME)" >&2; exit 1
}
JAVA="$(pick_java)"
export JAVA_HOME="$(dirname "$(dirname "$JAVA")")"

if [ -z "${TORNADOVM_HOME:-}" ]; then
  echo "kernels.sh: needs TORNADOVM_HOME pointing to a TornadoVM SDK (see README)" >&2; exit 2
fi

jar="$here/target/benchmarks.jar"
main=io/github/tornadollava/bench/tornado/KernelComparison.class
# (re)build when the jar is missing, older than a source, or was built without the tornado profile
if [ ! -f "$jar" ] || [ -n "$(find "$root" -path '*/src/*' -newer "$jar" \( -name '*.java' -o -name '*.json' \) -print -quit 2>/dev/null)" ] \
    || ! unzip -l "$jar" "$main" >/dev/null 2>&1; then
  echo "kernels.sh: building (mvn package -DskipTests -pl benchmarks -am)..." >&2
  (cd "$root" && mvn -q -B -DskipTests package -pl benchmarks -am >&2)
fi

# JVM signal chaining, as ./llava does for the tornado backend: PoCL's libLLVM installs its own
# SIGSEGV/SIGBUS handlers while it compiles a kernel (see the tornado profile in pom.xml).
jsig="$(dirname "$(dirname "$JAVA")")/lib/libjsig.so"
if [ -f "$jsig" ]; then
  export LD_PRELOAD="$jsig${LD_PRELOAD:+:$LD_PRELOAD}"
fi

# -Dtornado.recover.bailout=False: a kernel that fails to compile must fail its row, not run as
# plain Java on the host and be timed as if it were the device.
exec "$JAVA" ${KERNELS_JAVA_OPTS:-} "@${TORNADO_ARGFILE:-$TORNADOVM_HOME/tornado-argfile}" \
  --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dtornado.recover.bailout=False \
  -cp "$jar" io.github.tornadollava.bench.tornado.KernelComparison "$@"
