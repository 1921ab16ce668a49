# Native addon: a thin N-API layer over libpcap (see docs/capture.md), and the per-byte scan of the JSON
# redaction pre-check (native/json_keys.cc, see src/policy/json-key-filter.ts), and base64 of exported
# bodies written straight into the JSON Lines buffer (native/base64.cc, see src/export/json-line-writer.ts).
# Build with `npm run build:native`; output: build/Release/pcap_addon.node.
{
  "targets": [
    {
      "target_name": "pcap_addon",
      "sources": [
        "native/addon.cc",
        "native/packet_reader.cc",
        "native/pcap_open.cc",
        "native/pcap_handle.cc",
        "native/live_poller.cc",
        "native/interfaces.cc",
        "native/json_keys.cc",
        "native/base64.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED"
      ],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-lpcap"]
    }
  ]
}
