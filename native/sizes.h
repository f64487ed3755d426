/* Batch mode's large-file test, off the event loop (native/sizes.c); registered by inotify.c's module. */
#ifndef SERSYNC2_SIZES_H
#define SERSYNC2_SIZES_H

#include <node_api.h>

/* Adds largeFiles(root, list, threshold) to the module's exports; NULL with an exception pending on failure. */
napi_value sizes_register(napi_env env, napi_value exports);

#endif
