#ifndef CYCLADES_CRABBITMQ_SHIM_H
#define CYCLADES_CRABBITMQ_SHIM_H

// rabbitmq-c moved its headers under rabbitmq-c/ in 0.12; Debian 12 ships 0.11.
#if __has_include(<rabbitmq-c/amqp.h>)
#include <rabbitmq-c/amqp.h>
#include <rabbitmq-c/tcp_socket.h>
#include <rabbitmq-c/framing.h>
#else
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <amqp_framing.h>
#endif

#include <sys/time.h>

// amqp_login is C-variadic, which Swift cannot call: a fixed-arity wrapper for PLAIN login.
static inline amqp_rpc_reply_t cyclades_amqp_login_plain(amqp_connection_state_t state,
                                                         const char *vhost,
                                                         int channel_max,
                                                         int frame_max,
                                                         int heartbeat,
                                                         const char *user,
                                                         const char *password) {
    return amqp_login(state, vhost, channel_max, frame_max, heartbeat,
                      AMQP_SASL_METHOD_PLAIN, user, password);
}

#endif
