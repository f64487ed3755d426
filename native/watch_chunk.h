/* InotifyHandle's watchChunk(): a chunk of the start-up walk on a libuv thread (native/watch_chunk.c). */
#ifndef SERSYNC2_WATCH_CHUNK_H
#define SERSYNC2_WATCH_CHUNK_H

#include <node_api.h>

napi_value ino_watch_chunk(napi_env env, napi_callback_info info);

#endif
