#!/usr/bin/env bash
# Quick start: installs and builds the sensor (scripts/setup.sh), then runs its main job on a bundled
# capture: `apidump` reads fixtures/captures/curl-variety.pcap, writes every HTTP exchange to
# quickstart-out/exchanges.jsonl and exports traces (OTLP) to the embedded satellite on 127.0.0.1, which
# writes what it received to quickstart-out/satellite.jsonl. No external service is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
CAPTURE=${CAPTURE:-fixtures/captures/curl-variety.pcap}
OUT=quickstart-out
mkdir -p "$OUT"
rm -f "$OUT"/*.jsonl

# satellite_url LOG: waits (5 s at most) for the satellite's "listening on" line in LOG, prints its URL;
# exits the script with LOG's content when none comes.
satellite_url() {
  local url=""
  for _ in $(seq 1 50); do
    url=$(sed -n 's/^satellite listening on \(http:[^ ]*\).*/\1/p' "$1")
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { echo "the embedded satellite did not start:" >&2; cat "$1" >&2; exit 1; }
  echo "$url"
}

bin/pcap-sensor satellite --port 0 --out "$OUT/satellite.jsonl" 2> "$OUT/satellite.log" &
SAT_PID=$!
trap 'kill -TERM $SAT_PID 2>/dev/null || true' EXIT
URL=$(satellite_url "$OUT/satellite.log")

echo "== pcap-sensor apidump --pcap $CAPTURE --satellite-url $URL --out $OUT/exchanges.jsonl"
bin/pcap-sensor apidump --pcap "$CAPTURE" --satellite-url "$URL" --levo-env quickstart \
  --levoai-org-id quickstart-org --trace-export-interval 1 --out "$OUT/exchanges.jsonl" --log-level warn
kill -TERM $SAT_PID; wait $SAT_PID 2>/dev/null || true; trap - EXIT

echo "== exchanges (method target -> status, body bytes)"
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n");
  for (const l of lines) {
    const x = JSON.parse(l);
    const r = x.response;
    console.log(`${x.request.method} ${x.request.target} -> ${r ? r.status : "(no response)"}  req ${x.request.body.length} B, resp ${r ? r.body.length : 0} B ${x.flags.length ? x.flags.join(",") : ""}`);
  }
  console.log(`${lines.length} exchanges in ${process.argv[1]}`);
' "$OUT/exchanges.jsonl"
echo "== the embedded satellite received $(wc -l < "$OUT/satellite.jsonl") traces ($OUT/satellite.jsonl)"

# The endpoint inventory: a satellite that stays up (on a terminal) with the capture's endpoints in its live catalog
bin/pcap-sensor satellite --port "${INVENTORY_PORT:-0}" --out /dev/null 2> "$OUT/catalog.log" &
CAT_PID=$!
trap 'kill -TERM $CAT_PID 2>/dev/null || true' EXIT
URL=$(satellite_url "$OUT/catalog.log")
bin/pcap-sensor apidump --pcap "$CAPTURE" --satellite-url "$URL" --levo-env quickstart --levoai-org-id quickstart-org \
  --trace-export-interval 1 --log-level warn
bin/pcap-sensor inventory --pcap "$CAPTURE" --out "$OUT/inventory.html"
echo "== the endpoint inventory: $OUT/inventory.html (open it in a browser), and live in the embedded satellite:"
echo "   $URL/                (the page; it updates while traffic arrives)"
echo "   $URL/api/inventory   (JSON)    $URL/openapi.json   (OpenAPI 3.1)"
if [ -t 0 ] && [ -t 1 ]; then
  echo "   press Ctrl-C to stop the satellite"
  wait $CAT_PID || true
else
  echo "   (stopped: not a terminal; run 'bin/pcap-sensor satellite --port 9999' and point apidump's --satellite-url at it)"
fi
