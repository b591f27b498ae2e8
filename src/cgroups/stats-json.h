/* The parts of `events` stats that the v2 reader (stats.c) and the v1 reader
 * (stats-v1.c) share: reading a cgroup file, the JSON writer of runc's
 * types/events.go and the v2 sections, so that both hierarchies write one
 * format and a hybrid host's v2-bound controllers are read by the v2 code. */
#ifndef TONG_CGROUP_STATS_JSON_H
#define TONG_CGROUP_STATS_JSON_H

#include <stdbool.h>

#include <yajl/yajl_gen.h>

/* The text of dir/file; NULL when it cannot be read. */
char *stats_read (const char *dir, const char *file);

/* A single-value file: a number, or "max" (UINT64_MAX, as runc reports it). */
bool stats_single_value (const char *dir, const char *file, unsigned long long *v);

void stats_key (yajl_gen g, const char *k);
void stats_num (yajl_gen g, const char *k, unsigned long long v);

/* A number that may not fit a long long (UINT64_MAX for "no limit"). */
void stats_unum (yajl_gen g, const char *k, unsigned long long v);

/* {"type":"stats","id":ID,"data":{ ... written up to data's members. */
yajl_gen stats_event_begin (const char *id);

/* Closes what stats_event_begin opened, frees g and returns the line
 * (caller frees). */
char *stats_event_end (yajl_gen g);

/* cpu.throttling from the cpu.stat of dir (the same keys on v1 and v2 but
 * for the time: time_key's value times scale is nanoseconds). */
void stats_gen_throttling (yajl_gen g, const char *dir, const char *time_key,
                           unsigned long long scale);

/* One of memory's usage, swap, kernel and kernelTCP. */
struct stats_memory_entry
{
  unsigned long long limit, usage, max, failcnt;
  bool has_max;
};
void stats_gen_memory_entry (yajl_gen g, const char *name, const struct stats_memory_entry *e);

/* memory.raw: every "key value" line of memory.stat's text. */
void stats_gen_raw (yajl_gen g, const char *text);

/* One member of a blkio array; op is NULL where the file has none (v1's
 * sectors and time files). */
void stats_gen_blkio_entry (yajl_gen g, unsigned major, unsigned minor, const char *op,
                            unsigned long long value);

/* "hugetlb":{SIZE:{...}}: one member per page size with a file
 * hugetlb.SIZE.SUFFIX in dir, sorted, each written by entry. */
void stats_gen_hugetlb (yajl_gen g, const char *dir, const char *suffix,
                        void (*entry) (yajl_gen g, const char *dir, const char *size));

/* pids from pids.current and pids.max, which v1 and v2 name alike; "max"
 * leaves the limit out (runc's 0, which its JSON omits). */
void stats_gen_pids (yajl_gen g, const char *dir);

/* The v2 sections, each from the cgroup v2 directory path. */
void stats_v2_cpu (yajl_gen g, const char *path);
void stats_v2_memory (yajl_gen g, const char *path);
void stats_v2_blkio (yajl_gen g, const char *path);
void stats_v2_hugetlb (yajl_gen g, const char *path);

#endif
