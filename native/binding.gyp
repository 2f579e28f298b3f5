{
  "targets": [
    {
      "target_name": "lanmsg_recv",
      "sources": ["recv_batch.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
