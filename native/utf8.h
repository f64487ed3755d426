/* UTF-8 validity of a name from the kernel (native/utf8.c). */
#ifndef SERSYNC2_UTF8_H
#define SERSYNC2_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Well-formed UTF-8 (Unicode's table 3-7: no overlong forms, no surrogates, nothing past
 * U+10FFFF), exactly what a fatal TextDecoder accepts. */
bool utf8_is_valid(const unsigned char *s, size_t n);

#endif
