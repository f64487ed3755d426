{
  "targets": [
    {
      "target_name": "inotify",
      "sources": ["native/inotify.c", "native/handle.c", "native/fanotify.c", "native/fan_events.c", "native/lifetime.c", "native/reader.c", "native/events.c", "native/utf8.c", "native/names.c", "native/path_arg.c", "native/subdirectories.c", "native/watch_chunk.c", "native/sizes.c"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags_c": ["-std=gnu11", "-Wall", "-Wextra"],
      "conditions": [
        ["OS!='linux'", { "type": "none", "sources!": ["native/inotify.c", "native/handle.c", "native/fanotify.c", "native/fan_events.c", "native/lifetime.c", "native/reader.c", "native/events.c", "native/utf8.c", "native/names.c", "native/path_arg.c", "native/subdirectories.c", "native/watch_chunk.c", "native/sizes.c"] }]
      ]
    },
    {
      "target_name": "spawn",
      "sources": ["native/spawn.c", "native/child.c"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags_c": ["-std=gnu11", "-Wall", "-Wextra"],
      "conditions": [
        ["OS!='linux'", { "type": "none", "sources!": ["native/spawn.c", "native/child.c"] }]
      ]
    }
  ]
}
