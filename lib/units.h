/*
 * units.h - quantities as people write them, parsed and printed in one place.
 *
 *   rate     100mbit 1gbit 500kbit 64000bit       (bits per second, SI: k=1000)
 *   time     5ms 250us 1s 100ns 0                 (nanoseconds)
 *   percent  0.1% 1% 100%                         (parts per billion)
 *   size     64M 1G 512K 1500 1500B               (bytes, binary: K=1024)
 *   cpu      50% 150%                             (percent of one CPU)
 *
 * Parsers return 0 or -1; on -1 the *_FORM string says what was expected.
 * Printers produce the shortest exact form ("100mbit", "250us", "0.1%").
 */
#ifndef VNET_UNITS_H
#define VNET_UNITS_H

#include <stddef.h>
#include <stdint.h>

#define UNITS_RATE_FORM "a rate such as 100mbit (units bit, kbit, mbit, gbit, tbit)"
#define UNITS_TIME_FORM "a time such as 5ms (units ns, us, ms, s)"
#define UNITS_PERCENT_FORM "a percentage such as 0.1% (0% to 100%)"
#define UNITS_SIZE_FORM "a size such as 64M (bytes; suffixes K, M, G)"
#define UNITS_CPU_FORM "a CPU share such as 50% (percent of one CPU, 1% to 6400%)"
#define UNITS_COUNT_FORM "a whole number"

int units_parse_rate(const char *s, uint64_t *bps);
int units_parse_time(const char *s, uint64_t *ns);
int units_parse_percent(const char *s, uint32_t *ppb);
int units_parse_size(const char *s, uint64_t *bytes);
int units_parse_cpu(const char *s, uint32_t *pct);
int units_parse_count(const char *s, uint64_t *n);

const char *units_fmt_rate(uint64_t bps, char *buf, size_t n);
const char *units_fmt_time(uint64_t ns, char *buf, size_t n);
const char *units_fmt_percent(uint32_t ppb, char *buf, size_t n);
const char *units_fmt_size(uint64_t bytes, char *buf, size_t n);

#endif
