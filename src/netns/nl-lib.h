/* libmnl and libnftnl, loaded with dlopen only when a container asks for
 * bridge networking (the org.tong.net.* annotations): tong links neither, so
 * every other container, and every other command, maps neither.  The headers
 * are needed at build time (libmnl-dev, libnftnl-dev), the libraries at run
 * time (libmnl0, libnftnl11).  Call sites go through the table: nl_lib.f (...). */
#ifndef TONG_NETNS_NL_LIB_H
#define TONG_NETNS_NL_LIB_H

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>

#include "src/base/error.h"

/* Every function link.c and nat.c call, each with the library it is in. */
#define NL_LIB_FUNCTIONS(MNL, NFTNL)                                                               \
  MNL (mnl_attr_get_type)                                                                          \
  MNL (mnl_attr_get_u32)                                                                           \
  MNL (mnl_attr_nest_end)                                                                          \
  MNL (mnl_attr_nest_start)                                                                        \
  MNL (mnl_attr_parse)                                                                             \
  MNL (mnl_attr_put)                                                                               \
  MNL (mnl_attr_put_strz)                                                                          \
  MNL (mnl_attr_put_u32)                                                                           \
  MNL (mnl_attr_type_valid)                                                                        \
  MNL (mnl_attr_validate)                                                                          \
  MNL (mnl_cb_run)                                                                                 \
  MNL (mnl_nlmsg_batch_current)                                                                    \
  MNL (mnl_nlmsg_batch_head)                                                                       \
  MNL (mnl_nlmsg_batch_next)                                                                       \
  MNL (mnl_nlmsg_batch_size)                                                                       \
  MNL (mnl_nlmsg_batch_start)                                                                      \
  MNL (mnl_nlmsg_batch_stop)                                                                       \
  MNL (mnl_nlmsg_get_payload)                                                                      \
  MNL (mnl_nlmsg_get_payload_tail)                                                                 \
  MNL (mnl_nlmsg_next)                                                                             \
  MNL (mnl_nlmsg_ok)                                                                               \
  MNL (mnl_nlmsg_put_extra_header)                                                                 \
  MNL (mnl_nlmsg_put_header)                                                                       \
  MNL (mnl_socket_bind)                                                                            \
  MNL (mnl_socket_close)                                                                           \
  MNL (mnl_socket_get_fd)                                                                          \
  MNL (mnl_socket_get_portid)                                                                      \
  MNL (mnl_socket_open2)                                                                           \
  MNL (mnl_socket_recvfrom)                                                                        \
  MNL (mnl_socket_sendto)                                                                          \
  NFTNL (nftnl_batch_begin)                                                                        \
  NFTNL (nftnl_batch_end)                                                                          \
  NFTNL (nftnl_chain_alloc)                                                                        \
  NFTNL (nftnl_chain_free)                                                                         \
  NFTNL (nftnl_chain_get_str)                                                                      \
  NFTNL (nftnl_chain_nlmsg_build_payload)                                                          \
  NFTNL (nftnl_chain_nlmsg_parse)                                                                  \
  NFTNL (nftnl_chain_set_s32)                                                                      \
  NFTNL (nftnl_chain_set_str)                                                                      \
  NFTNL (nftnl_chain_set_u32)                                                                      \
  NFTNL (nftnl_expr_alloc)                                                                         \
  NFTNL (nftnl_expr_set)                                                                           \
  NFTNL (nftnl_expr_set_u32)                                                                       \
  NFTNL (nftnl_nlmsg_build_hdr)                                                                    \
  NFTNL (nftnl_rule_add_expr)                                                                      \
  NFTNL (nftnl_rule_alloc)                                                                         \
  NFTNL (nftnl_rule_free)                                                                          \
  NFTNL (nftnl_rule_nlmsg_build_payload)                                                           \
  NFTNL (nftnl_rule_set_str)                                                                       \
  NFTNL (nftnl_rule_set_u32)                                                                       \
  NFTNL (nftnl_table_alloc)                                                                        \
  NFTNL (nftnl_table_free)                                                                         \
  NFTNL (nftnl_table_nlmsg_build_payload)                                                          \
  NFTNL (nftnl_table_set_str)                                                                      \
  NFTNL (nftnl_table_set_u32)

struct nl_lib
{
#define NL_LIB_FIELD(f) __typeof__ (f) *f;
  NL_LIB_FUNCTIONS (NL_LIB_FIELD, NL_LIB_FIELD)
#undef NL_LIB_FIELD
};

/* Valid once nl_lib_load has succeeded. */
extern struct nl_lib nl_lib;

/* dlopen both libraries once and resolve the functions above; an error naming
 * the package when one is not installed. */
int nl_lib_load (tong_error *err);

#endif
