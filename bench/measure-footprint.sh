#!/usr/bin/env bash
# Measures the operator's memory with N ApiKeys, each part in its own process, on this machine:
#   bench/measure-footprint.sh [N]     (default 500; needs kubectl and the built jars: mvn -DskipTests package)
# Prints the operator's RSS and its live heap after a full GC, used to size the chart's resources.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-500}
JAR=target/apikey-operator.jar              # the operator, as the image runs it
TOOLS_JAR=target/apikey-operator-tools.jar  # the embedded API server and the simulator
WORK=$(mktemp -d); echo "work dir $WORK" >&2
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$WORK/admin-key"
SIM_PORT=$(free_port); METRICS_PORT=$(free_port)
java -Xmx256m -jar "$TOOLS_JAR" apiserver --kubeconfig "$WORK/kubeconfig" > "$WORK/apiserver.log" 2>&1 &
java -Xmx256m -jar "$TOOLS_JAR" simulator --port "$SIM_PORT" --admin-key-file "$WORK/admin-key" > "$WORK/simulator.log" 2>&1 &
for _ in $(seq 100); do [ -s "$WORK/kubeconfig" ] && grep -q "simulator on" "$WORK/simulator.log" && break; sleep 0.2; done
export KUBECONFIG="$WORK/kubeconfig"
# the default ClusterWorkspace and its Admin key Secret, as a platform team creates them
kubectl create namespace idmelon-system >/dev/null 2>&1 || true
kubectl -n idmelon-system create secret generic default-admin-key --from-file=adminKey="$WORK/admin-key" >/dev/null
printf 'apiVersion: idmelon.com/v1alpha1\nkind: ClusterWorkspace\nmetadata: {name: default}\nspec: {baseUrl: "http://127.0.0.1:%s", adminKeySecretRef: {name: default-admin-key, namespace: idmelon-system}}\n' "$SIM_PORT" \
  | kubectl create --validate=false -f - >/dev/null

# the chart's JVM options, with the heap cap its 384Mi memory limit gives (MaxRAMPercentage=50)
METRICS_PORT=$METRICS_PORT HEALTH_PORT=$METRICS_PORT \
  JAVA_TOOL_OPTIONS="-Xmx192m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError" \
  java -jar "$JAR" run > "$WORK/operator.log" 2>&1 &
OPERATOR=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$METRICS_PORT/readyz" >/dev/null && break; sleep 0.2; done

for i in $(seq 1 "$N"); do
  printf -- '---\napiVersion: idmelon.com/v1alpha1\nkind: ApiKey\nmetadata: {name: key-%s, namespace: ns-%s}\nspec: {name: Key %s, type: Clients, duration: 2160h}\n' "$i" $((i % 10)) "$i"
done > "$WORK/apikeys.yaml"
start=$(date +%s.%N)
kubectl create --validate=false -f "$WORK/apikeys.yaml" >/dev/null
until [ "$(curl -s "http://127.0.0.1:$METRICS_PORT/metrics" | grep -c '^idmelon_apikey_ready_status{condition="True".* 1.0$')" -ge "$N" ]; do sleep 0.5; done
end=$(date +%s.%N)
sleep 2
jcmd "$OPERATOR" GC.run >/dev/null
sleep 1
# SerialGC prints one line per generation: the live heap is the sum of their "used"
heap=$(jcmd "$OPERATOR" GC.heap_info | awk '/generation/ {for (i=1;i<=NF;i++) if ($i=="used") {sub(/K,?/,"",$(i+1)); sum+=$(i+1)}} END {printf "%d MiB", sum/1024}')
meta=$(jcmd "$OPERATOR" GC.heap_info | awk '/Metaspace/ {for (i=1;i<=NF;i++) if ($i=="used") {sub(/K,?/,"",$(i+1)); printf "%d MiB", $(i+1)/1024}}')
rss=$(awk '/VmRSS/ {print $2}' /proc/$OPERATOR/status)
hwm=$(awk '/VmHWM/ {print $2}' /proc/$OPERATOR/status)
printf 'ApiKeys: %s Ready in %.1f s\n' "$N" "$(echo "$end - $start" | bc)"
echo "operator live heap after GC: $heap (metaspace $meta)"
echo "operator RSS: $((rss / 1024)) MiB (peak $((hwm / 1024)) MiB)"
