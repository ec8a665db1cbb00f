/*
 * amqp_baseline: publish / consume throughput with rabbitmq-c used directly.
 *
 * This is the ceiling the Swift wrapper over the same library is measured
 * against, so it does the same work with nothing in between: one connection,
 * channel 1, persistent messages, publisher confirms with a bounded window,
 * a consumer with a prefetch and batched `multiple` acks.
 *
 *   amqp_baseline publish HOST PORT VHOST USER PASSWORD EXCHANGE ROUTING_KEY COUNT SIZE WINDOW ACK_EVERY
 *   amqp_baseline consume HOST PORT VHOST USER PASSWORD EXCHANGE QUEUE       COUNT SIZE PREFETCH ACK_EVERY
 *   amqp_baseline declare HOST PORT VHOST USER PASSWORD EXCHANGE QUEUE
 *
 * publish and consume take the same arguments so that scripts can swap the
 * mode; SIZE is ignored by consume, ACK_EVERY by publish, EXCHANGE by consume.
 * declare creates a durable topic exchange and a durable classic queue bound
 * to it with the routing key "#".
 *
 * Each mode prints exactly one line of JSON on stdout, e.g.
 *   {"mode":"publish","count":50000,"seconds":3.210000,"rate":15576.3,"nacks":0}
 * and exits non-zero with a message on stderr on any error.
 *
 * Build: Tests/Load/c/build.sh [OUT]   (cc -O2 -o OUT amqp_baseline.c -lrabbitmq)
 * Written against rabbitmq-c 0.11 (Debian's librabbitmq-dev), C99.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>

enum {
  CHANNEL = 1,
  FRAME_MAX = 131072,
  HEARTBEAT_SECONDS = 30
};

/* ---------------------------------------------------------------- errors */

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("amqp_baseline: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

/* A library call that returns an amqp_status_enum value. */
static void check_status(int status, const char *context) {
  if (status < 0) {
    die("%s: %s", context, amqp_error_string2(status));
  }
}

/* Explains a server-initiated channel.close or connection.close. */
static void die_on_close_method(const amqp_method_t *method,
                                const char *context) {
  switch (method->id) {
  case AMQP_CONNECTION_CLOSE_METHOD: {
    const amqp_connection_close_t *m = method->decoded;
    die("%s: server closed the connection: %u %.*s", context,
        (unsigned)m->reply_code, (int)m->reply_text.len,
        (const char *)m->reply_text.bytes);
    break;
  }
  case AMQP_CHANNEL_CLOSE_METHOD: {
    const amqp_channel_close_t *m = method->decoded;
    die("%s: server closed the channel: %u %.*s", context,
        (unsigned)m->reply_code, (int)m->reply_text.len,
        (const char *)m->reply_text.bytes);
    break;
  }
  default:
    die("%s: unexpected method 0x%08" PRIx32 " (%s)", context, method->id,
        amqp_method_name(method->id));
  }
}

/* Every call that returns (or leaves behind) an amqp_rpc_reply_t. */
static void check_reply(amqp_rpc_reply_t reply, const char *context) {
  switch (reply.reply_type) {
  case AMQP_RESPONSE_NORMAL:
    return;
  case AMQP_RESPONSE_NONE:
    die("%s: missing RPC reply type", context);
    break;
  case AMQP_RESPONSE_LIBRARY_EXCEPTION:
    die("%s: %s", context, amqp_error_string2(reply.library_error));
    break;
  case AMQP_RESPONSE_SERVER_EXCEPTION:
    die_on_close_method(&reply.reply, context);
    break;
  }
  die("%s: unknown reply type %d", context, (int)reply.reply_type);
}

/* The synchronous AMQP methods return a pointer that is NULL on failure; the
 * details are then in amqp_get_rpc_reply(). */
static void check_rpc(amqp_connection_state_t conn, const void *ok,
                      const char *context) {
  check_reply(amqp_get_rpc_reply(conn), context);
  if (ok == NULL) {
    die("%s: no reply", context);
  }
}

/* ------------------------------------------------------------- arguments */

static long long parse_number(const char *text, const char *name,
                              long long min, long long max) {
  char *end = NULL;
  errno = 0;
  long long value = strtoll(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < min ||
      value > max) {
    die("%s must be an integer in [%lld, %lld], got \"%s\"", name, min, max,
        text);
  }
  return value;
}

struct options {
  const char *mode;
  const char *host;
  int port;
  const char *vhost;
  const char *user;
  const char *password;
  const char *exchange;
  const char *key_or_queue; /* routing key (publish) or queue (consume) */
  uint64_t count;
  size_t size;
  uint64_t window; /* unconfirmed messages in flight (publish) */
  uint16_t prefetch; /* the same argument, for consume */
  uint64_t ack_every;
};

static void usage(void) {
  fputs("usage:\n"
        "  amqp_baseline publish HOST PORT VHOST USER PASSWORD EXCHANGE "
        "ROUTING_KEY COUNT SIZE WINDOW ACK_EVERY\n"
        "  amqp_baseline consume HOST PORT VHOST USER PASSWORD EXCHANGE "
        "QUEUE COUNT SIZE PREFETCH ACK_EVERY\n"
        "  amqp_baseline declare HOST PORT VHOST USER PASSWORD EXCHANGE "
        "QUEUE\n",
        stderr);
  exit(2);
}

static struct options parse_options(int argc, char **argv) {
  struct options o;
  memset(&o, 0, sizeof o);
  if (argc < 2) {
    usage();
  }
  o.mode = argv[1];
  int is_declare = strcmp(o.mode, "declare") == 0;
  int is_run = strcmp(o.mode, "publish") == 0 || strcmp(o.mode, "consume") == 0;
  if (!(is_declare && argc == 9) && !(is_run && argc == 13)) {
    usage();
  }
  o.host = argv[2];
  o.port = (int)parse_number(argv[3], "PORT", 1, 65535);
  o.vhost = argv[4];
  o.user = argv[5];
  o.password = argv[6];
  o.exchange = argv[7];
  o.key_or_queue = argv[8];
  if (is_run) {
    o.count = (uint64_t)parse_number(argv[9], "COUNT", 1, INT64_MAX);
    o.size = (size_t)parse_number(argv[10], "SIZE", 0, FRAME_MAX * 1024LL);
    o.window = (uint64_t)parse_number(argv[11], "WINDOW_OR_PREFETCH", 1,
                                      UINT16_MAX);
    o.prefetch = (uint16_t)o.window;
    o.ack_every = (uint64_t)parse_number(argv[12], "ACK_EVERY", 1, INT64_MAX);
    /* The broker stops delivering once PREFETCH messages are unacked. */
    if (strcmp(o.mode, "consume") == 0 && o.ack_every > o.prefetch) {
      die("ACK_EVERY (%" PRIu64 ") must not exceed PREFETCH (%u), or the "
          "consumer stalls",
          o.ack_every, (unsigned)o.prefetch);
    }
  }
  return o;
}

/* ------------------------------------------------------------ connection */

static double now_seconds(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
    die("clock_gettime: %s", strerror(errno));
  }
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static amqp_connection_state_t connect_and_open_channel(const struct options *o) {
  amqp_connection_state_t conn = amqp_new_connection();
  if (conn == NULL) {
    die("amqp_new_connection failed");
  }
  amqp_socket_t *socket = amqp_tcp_socket_new(conn);
  if (socket == NULL) {
    die("amqp_tcp_socket_new failed");
  }
  check_status(amqp_socket_open(socket, o->host, o->port), "opening socket");
  check_reply(amqp_login(conn, o->vhost, 0, FRAME_MAX, HEARTBEAT_SECONDS,
                         AMQP_SASL_METHOD_PLAIN, o->user, o->password),
              "login");
  check_rpc(conn, amqp_channel_open(conn, CHANNEL), "channel.open");
  return conn;
}

static void close_and_destroy(amqp_connection_state_t conn) {
  check_reply(amqp_channel_close(conn, CHANNEL, AMQP_REPLY_SUCCESS),
              "channel.close");
  check_reply(amqp_connection_close(conn, AMQP_REPLY_SUCCESS),
              "connection.close");
  check_status(amqp_destroy_connection(conn), "destroying the connection");
}

static void print_result(const char *mode, uint64_t count, double seconds,
                         uint64_t nacks) {
  double rate = seconds > 0 ? (double)count / seconds : 0;
  printf("{\"mode\":\"%s\",\"count\":%" PRIu64
         ",\"seconds\":%.6f,\"rate\":%.1f,\"nacks\":%" PRIu64 "}\n",
         mode, count, seconds, rate, nacks);
}

/* --------------------------------------------------------------- declare */

static int declare(const struct options *o) {
  amqp_connection_state_t conn = connect_and_open_channel(o);
  amqp_bytes_t exchange = amqp_cstring_bytes(o->exchange);
  amqp_bytes_t queue = amqp_cstring_bytes(o->key_or_queue);

  check_rpc(conn,
            amqp_exchange_declare(conn, CHANNEL, exchange,
                                  amqp_cstring_bytes("topic"), /*passive*/ 0,
                                  /*durable*/ 1, /*auto_delete*/ 0,
                                  /*internal*/ 0, amqp_empty_table),
            "exchange.declare");

  /* Say "classic" explicitly: the default queue type is configurable. */
  amqp_table_entry_t queue_type;
  queue_type.key = amqp_cstring_bytes("x-queue-type");
  queue_type.value.kind = AMQP_FIELD_KIND_UTF8;
  queue_type.value.value.bytes = amqp_cstring_bytes("classic");
  amqp_table_t queue_args = {1, &queue_type};

  amqp_queue_declare_ok_t *declared =
      amqp_queue_declare(conn, CHANNEL, queue, /*passive*/ 0, /*durable*/ 1,
                         /*exclusive*/ 0, /*auto_delete*/ 0, queue_args);
  check_rpc(conn, declared, "queue.declare");
  uint32_t messages = declared->message_count;
  uint32_t consumers = declared->consumer_count;

  check_rpc(conn,
            amqp_queue_bind(conn, CHANNEL, queue, exchange,
                            amqp_cstring_bytes("#"), amqp_empty_table),
            "queue.bind");
  close_and_destroy(conn);

  printf("{\"mode\":\"declare\",\"messages\":%" PRIu32
         ",\"consumers\":%" PRIu32 "}\n",
         messages, consumers);
  return 0;
}

/* --------------------------------------------------------------- publish */

/*
 * Confirm bookkeeping. Delivery tags on a confirm channel are 1, 2, 3, ... in
 * publish order. An ack or nack settles one tag, or with `multiple` every
 * tag up to and including it. `settled_upto` is the highest tag below which
 * everything is settled; the per-tag flags only matter if the broker ever
 * settles a single tag out of order.
 */
struct confirms {
  unsigned char *settled; /* indexed by delivery tag, 1..count */
  uint64_t settled_upto;
  uint64_t published;
  uint64_t settled_count;
  uint64_t nacks;
  uint64_t frames; /* ack/nack frames received, for curiosity */
};

static void settle(struct confirms *c, uint64_t tag, int multiple, int nack) {
  if (tag == 0 || tag > c->published) {
    die("confirm for delivery tag %" PRIu64 " but only %" PRIu64
        " were published",
        tag, c->published);
  }
  uint64_t first = multiple ? c->settled_upto + 1 : tag;
  for (uint64_t t = first; t <= tag; t++) {
    if (!c->settled[t]) {
      c->settled[t] = 1;
      c->settled_count++;
      if (nack) {
        c->nacks++;
      }
    }
  }
  while (c->settled_upto < c->published && c->settled[c->settled_upto + 1]) {
    c->settled_upto++;
  }
}

/* Waits for one frame (forever if block, else only if one is already
 * readable) and applies it. Returns 0 if there was none to read. */
static int read_confirm(amqp_connection_state_t conn, struct confirms *c,
                        int block) {
  static const struct timeval zero = {0, 0};
  amqp_frame_t frame;
  int status = block ? amqp_simple_wait_frame(conn, &frame)
                     : amqp_simple_wait_frame_noblock(conn, &frame, &zero);
  if (status == AMQP_STATUS_TIMEOUT && !block) {
    return 0;
  }
  check_status(status, "waiting for confirms");

  if (frame.frame_type != AMQP_FRAME_METHOD) {
    die("waiting for confirms: unexpected frame type %u on channel %u",
        (unsigned)frame.frame_type, (unsigned)frame.channel);
  }
  switch (frame.payload.method.id) {
  case AMQP_BASIC_ACK_METHOD: {
    const amqp_basic_ack_t *ack = frame.payload.method.decoded;
    settle(c, ack->delivery_tag, ack->multiple, 0);
    break;
  }
  case AMQP_BASIC_NACK_METHOD: {
    const amqp_basic_nack_t *nack = frame.payload.method.decoded;
    settle(c, nack->delivery_tag, nack->multiple, 1);
    break;
  }
  default: /* channel.close, connection.close, basic.return, ... */
    die_on_close_method(&frame.payload.method, "waiting for confirms");
  }
  c->frames++;
  amqp_maybe_release_buffers(conn);
  return 1;
}

/* A body of exactly `size` bytes that is valid JSON, to match the content
 * type: a string of x's ("\"xxxx\"") or, for one byte, the number 0. */
static char *make_body(size_t size) {
  char *body = malloc(size > 0 ? size : 1);
  if (body == NULL) {
    die("out of memory");
  }
  if (size == 1) {
    body[0] = '0';
  } else if (size >= 2) {
    memset(body, 'x', size);
    body[0] = '"';
    body[size - 1] = '"';
  }
  return body;
}

static int publish(const struct options *o) {
  amqp_connection_state_t conn = connect_and_open_channel(o);
  check_rpc(conn, amqp_confirm_select(conn, CHANNEL), "confirm.select");

  struct confirms c;
  memset(&c, 0, sizeof c);
  c.settled = calloc(o->count + 1, 1);
  if (c.settled == NULL) {
    die("out of memory");
  }

  amqp_bytes_t exchange = amqp_cstring_bytes(o->exchange);
  amqp_bytes_t routing_key = amqp_cstring_bytes(o->key_or_queue);
  amqp_bytes_t body = {o->size, make_body(o->size)};

  char message_id[32];
  amqp_basic_properties_t props;
  memset(&props, 0, sizeof props);
  props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG |
                 AMQP_BASIC_MESSAGE_ID_FLAG;
  props.content_type = amqp_cstring_bytes("application/json");
  props.delivery_mode = AMQP_DELIVERY_PERSISTENT;

  double start = now_seconds();
  while (c.published < o->count) {
    while (c.published - c.settled_count >= o->window) {
      read_confirm(conn, &c, /*block*/ 1);
    }

    int id_len = snprintf(message_id, sizeof message_id, "m-%" PRIu64,
                          c.published + 1);
    props.message_id.bytes = message_id;
    props.message_id.len = (size_t)id_len;
    check_status(amqp_basic_publish(conn, CHANNEL, exchange, routing_key,
                                    /*mandatory*/ 0, /*immediate*/ 0, &props,
                                    body),
                 "basic.publish");
    c.published++;

    while (read_confirm(conn, &c, /*block*/ 0)) {
    }
  }
  while (c.settled_count < c.published) {
    read_confirm(conn, &c, /*block*/ 1);
  }
  double seconds = now_seconds() - start;

  close_and_destroy(conn);
  fprintf(stderr, "publish: %" PRIu64 " confirm frames for %" PRIu64
                  " messages\n",
          c.frames, c.published);
  if (c.nacks > 0) {
    fprintf(stderr, "publish: %" PRIu64 " messages were nacked\n", c.nacks);
  }
  print_result("publish", c.published, seconds, c.nacks);
  free(body.bytes);
  free(c.settled);
  return 0;
}

/* --------------------------------------------------------------- consume */

/* amqp_consume_message found a frame other than basic.deliver at the head of
 * the connection; read it and decide. Nothing else is expected here, so any
 * such frame (a close, a server-side basic.cancel) ends the run. */
static void handle_other_frame(amqp_connection_state_t conn) {
  amqp_frame_t frame;
  check_status(amqp_simple_wait_frame(conn, &frame), "consuming");
  if (frame.frame_type != AMQP_FRAME_METHOD) {
    die("consuming: unexpected frame type %u on channel %u",
        (unsigned)frame.frame_type, (unsigned)frame.channel);
  }
  die_on_close_method(&frame.payload.method, "consuming");
}

static int consume(const struct options *o) {
  amqp_connection_state_t conn = connect_and_open_channel(o);
  check_rpc(conn,
            amqp_basic_qos(conn, CHANNEL, 0, o->prefetch, /*global*/ 0),
            "basic.qos");
  check_rpc(conn,
            amqp_basic_consume(conn, CHANNEL,
                               amqp_cstring_bytes(o->key_or_queue),
                               amqp_empty_bytes, /*no_local*/ 0,
                               /*no_ack*/ 0, /*exclusive*/ 0, amqp_empty_table),
            "basic.consume");

  uint64_t received = 0;
  uint64_t last_tag = 0;
  uint64_t unacked = 0;
  double first = 0;
  double last = 0;

  while (received < o->count) {
    amqp_envelope_t envelope;
    amqp_maybe_release_buffers(conn);
    amqp_rpc_reply_t reply = amqp_consume_message(conn, &envelope, NULL, 0);
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
        reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
      handle_other_frame(conn);
      continue;
    }
    check_reply(reply, "consuming");

    last = now_seconds();
    if (received == 0) {
      first = last;
    }
    received++;
    last_tag = envelope.delivery_tag;
    amqp_destroy_envelope(&envelope);

    if (++unacked == o->ack_every) {
      check_status(amqp_basic_ack(conn, CHANNEL, last_tag, /*multiple*/ 1),
                   "basic.ack");
      unacked = 0;
    }
  }
  if (unacked > 0) {
    check_status(amqp_basic_ack(conn, CHANNEL, last_tag, /*multiple*/ 1),
                 "basic.ack");
  }

  /* Deliveries beyond COUNT that the prefetch let in are still unacked and
   * go back to the queue when the channel closes. */
  close_and_destroy(conn);
  /* Rate is COUNT over first-to-last delivery, so it slightly overstates a
   * tiny run (COUNT - 1 intervals); irrelevant at benchmark sizes. */
  print_result("consume", received, last - first, 0);
  return 0;
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv) {
  struct options o = parse_options(argc, argv);
  if (strcmp(o.mode, "publish") == 0) {
    return publish(&o);
  }
  if (strcmp(o.mode, "consume") == 0) {
    return consume(&o);
  }
  return declare(&o);
}
