{
  "targets": [
    {
      "target_name": "lanmsg_pcap",
      "sources": ["pcap_live.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "libraries": ["-lpcap"]
    }
  ]
}
