/*
 * pam_faceauth.so - asks faceauthd (org.faceauth.FaceAuth1 on the system bus)
 * whether the person in front of the camera is the user being authenticated.
 *
 * libpam + sd-bus only. Every wait is bounded by one deadline (timeout=), the
 * daemon is believed only when the owner of the bus name runs as the service
 * user or root, and every call goes to that owner's unique name. The password
 * is never blocked: any failure returns a code the stack ignores (see
 * docs/pam.md and pam_faceauth(8) for the options, return codes and stacks).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libintl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-login.h>

#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "faceauth-dbus.h"

#ifndef FACEAUTH_LOCALEDIR
#define FACEAUTH_LOCALEDIR "/usr/share/locale"
#endif

#define EXPORT __attribute__((visibility("default")))
#define TEXT_DOMAIN "faceauth"
#define _(s) dgettext(TEXT_DOMAIN, s)

#define BUS_NAME FACEAUTH_BUS_NAME
#define OBJECT_PATH FACEAUTH_OBJECT_PATH
#define INTERFACE FACEAUTH_INTERFACE
#define DBUS_NAME "org.freedesktop.DBus"
#define DATA_KEY "pam_faceauth.attempted_user"

#define USEC_PER_SEC 1000000ULL
#define DEFAULT_TIMEOUT 5u
#define MAX_TIMEOUT 60u
#define VERIFY_MARGIN_USEC 300000ULL /* the daemon must answer before our own deadline */
#define MAX_SHOWN 512                /* longest daemon text shown to the person */

struct options {
    bool debug, quiet, parallel;
    unsigned timeout, max_tries;
    const char *daemon_user;
    const char *require; /* "liveness" (default), "any" or "ir": passed to Verify */
};

enum outcome {
    O_MATCH,
    O_NO_MATCH,
    O_NO_FACE,
    O_TIMEOUT,
    O_CAMERA,
    O_LOCKED,
    O_REFUSED,
    O_NOT_ENROLLED,
    O_ENROLL_AGAIN,
    O_SPOOF,
    O_NO_LIVENESS,
    O_CANCELLED,
    O_UNAVAILABLE,
    O_HUNG
};

struct verdict {
    enum outcome outcome;
    char *hint, *incident;
    uint64_t locked_until;
    char why[160]; /* for the log */
};

struct conn {
    sd_bus *bus;
    char *owner;       /* unique name of the trusted owner of BUS_NAME */
    uint64_t deadline; /* CLOCK_MONOTONIC usec */
    int cancel_fd;     /* read end of a pipe; -1 when not cancellable */
};

/* ------------------------------------------------------------------ helpers */

static uint64_t now_usec(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000u;
}

static void parse_options(pam_handle_t *pamh, int argc, const char **argv, struct options *o) {
    *o = (struct options){.timeout = DEFAULT_TIMEOUT,
                          .max_tries = 1,
                          .daemon_user = "faceauth",
                          .require = FACEAUTH_REQUIRE_LIVENESS};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "debug") == 0) {
            o->debug = true;
        } else if (strcmp(a, "quiet") == 0) {
            o->quiet = true;
        } else if (strcmp(a, "parallel") == 0) {
            o->parallel = true;
        } else if (strncmp(a, "timeout=", 8) == 0) {
            char *end = NULL;
            errno = 0;
            unsigned long t = strtoul(a + 8, &end, 10);
            if (errno || end == a + 8 || *end || t < 1 || t > MAX_TIMEOUT)
                pam_syslog(pamh, LOG_ERR, "timeout=%s: want 1 to %u seconds; using %u", a + 8, MAX_TIMEOUT,
                           DEFAULT_TIMEOUT);
            else
                o->timeout = (unsigned)t;
        } else if (strncmp(a, "max_tries=", 10) == 0 || strncmp(a, "max-tries=", 10) == 0) {
            char *end = NULL;
            unsigned long n = strtoul(a + 10, &end, 10);
            if (end == a + 10 || *end || n < 1 || n > 5)
                pam_syslog(pamh, LOG_ERR, "%s: want 1 to 5; using 1", a);
            else
                o->max_tries = (unsigned)n;
        } else if (strncmp(a, "require=", 8) == 0) {
            if (strcmp(a + 8, FACEAUTH_REQUIRE_LIVENESS) == 0 || strcmp(a + 8, FACEAUTH_REQUIRE_ANY) == 0 ||
                strcmp(a + 8, FACEAUTH_REQUIRE_IR) == 0)
                o->require = a + 8;
            else
                pam_syslog(pamh, LOG_ERR, "%s: want require=liveness, any or ir; using liveness", a);
        } else if (strncmp(a, "daemon_user=", 12) == 0 && a[12]) {
            o->daemon_user = a + 12;
        } else {
            pam_syslog(pamh, LOG_ERR, "unknown option %s (ignored)", a);
        }
    }
}

/* The daemon's rule (dbus/org.faceauth.FaceAuth1.xml): nothing else can be enrolled. */
static bool valid_user_name(const char *u) {
    size_t n = strlen(u);
    if (n < 1 || n > 32 || !((u[0] >= 'a' && u[0] <= 'z') || u[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++) {
        char c = u[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                  (c == '$' && i == n - 1);
        if (!ok)
            return false;
    }
    return true;
}

static bool local_host_name(const char *h) {
    char me[256];
    if (!strcmp(h, "localhost") || !strcmp(h, "localhost.localdomain") || !strcmp(h, "127.0.0.1") ||
        !strcmp(h, "::1"))
        return true;
    return gethostname(me, sizeof me) == 0 && (me[sizeof me - 1] = 0, strcmp(h, me) == 0);
}

/* Remote logins never use the camera: the person is not in front of it. */
static const char *remote_reason(pam_handle_t *pamh) {
    const void *item = NULL;
    if (pam_get_item(pamh, PAM_RHOST, &item) == PAM_SUCCESS && item && *(const char *)item &&
        !local_host_name(item))
        return "PAM_RHOST names a remote host";
    item = NULL;
    if (pam_get_item(pamh, PAM_TTY, &item) == PAM_SUCCESS && item && !strcmp(item, "ssh"))
        return "PAM_TTY is ssh";
    static const char *const ssh_vars[] = {"SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"};
    for (size_t i = 0; i < sizeof ssh_vars / sizeof *ssh_vars; i++)
        if (pam_getenv(pamh, ssh_vars[i]) || getenv(ssh_vars[i]))
            return "an SSH session";
    if (sd_session_is_remote(NULL) > 0)
        return "logind says the session is remote";
    return NULL;
}

static char *dup_shown(const char *s) {
    char *d = strndup(s ? s : "", MAX_SHOWN);
    if (!d)
        return NULL;
    /* No terminal escapes: C0 controls, DEL, and C1 controls in their UTF-8
     * form (U+0080..U+009F = 0xC2 0x80..0x9F) become '?'. */
    for (unsigned char *p = (unsigned char *)d; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            *p = '?';
        else if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
            p[0] = p[1] = '?';
    }
    /* Do not end in the middle of a UTF-8 sequence cut by the length limit. */
    size_t n = strlen(d), start = n;
    while (start > 0 && ((unsigned char)d[start - 1] & 0xC0) == 0x80)
        start--;
    if (start > 0 && start <= n) {
        unsigned char lead = (unsigned char)d[start - 1];
        size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        if (lead >= 0xC0 && n - (start - 1) < want)
            d[start - 1] = '\0';
    }
    return d;
}

static void say(pam_handle_t *pamh, int style, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(pam_handle_t *pamh, int style, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    (void)pam_vprompt(pamh, style, NULL, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ bounded calls */

enum { CALL_OK = 0, CALL_ERROR_REPLY = -1, CALL_TIMEOUT = -2, CALL_BROKEN = -3, CALL_CANCELLED = -4 };

struct pending {
    bool done;
    sd_bus_message *reply;
};

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
    (void)ret_error;
    struct pending *p = userdata;
    p->done = true;
    p->reply = sd_bus_message_ref(m);
    return 1;
}

/* Drive the connection until the reply arrives, the deadline passes, the
 * connection breaks or the cancel fd becomes readable. */
static int wait_reply(struct conn *c, struct pending *p) {
    for (;;) {
        int r = sd_bus_process(c->bus, NULL);
        uint64_t now = now_usec(), wait, t;
        if (p->done)
            return CALL_OK;
        if (r < 0)
            return CALL_BROKEN;
        if (now >= c->deadline)
            return CALL_TIMEOUT;
        if (r > 0)
            continue;
        wait = c->deadline - now;
        if (sd_bus_get_timeout(c->bus, &t) >= 0 && t != UINT64_MAX)
            wait = t <= now ? 0 : (t - now < wait ? t - now : wait);
        int fd = sd_bus_get_fd(c->bus), ev = sd_bus_get_events(c->bus);
        if (fd < 0 || ev < 0)
            return CALL_BROKEN;
        struct pollfd pfd[2] = {{.fd = fd, .events = (short)ev}, {.fd = c->cancel_fd, .events = POLLIN}};
        r = poll(pfd, c->cancel_fd >= 0 ? 2 : 1, (int)((wait + 999) / 1000));
        if (r < 0 && errno != EINTR)
            return CALL_BROKEN;
        if (c->cancel_fd >= 0 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)))
            return CALL_CANCELLED;
    }
}

/* One method call bounded by c->deadline. On CALL_OK *ret is a method return
 * sent by `dest` itself; on CALL_ERROR_REPLY `why` holds the error name. */
static int call(struct conn *c, const char *dest, const char *path, const char *iface, const char *member,
                sd_bus_message **ret, char *why, size_t whylen, const char *types, ...) {
    sd_bus_message *m = NULL;
    sd_bus_slot *slot = NULL;
    struct pending p = {0};
    int r, result;
    uint64_t now = now_usec();

    *ret = NULL;
    snprintf(why, whylen, "%s: no answer", member);
    if (now >= c->deadline)
        return CALL_TIMEOUT;
    r = sd_bus_message_new_method_call(c->bus, &m, dest, path, iface, member);
    if (r >= 0 && types) {
        va_list ap;
        va_start(ap, types);
        r = sd_bus_message_appendv(m, types, ap);
        va_end(ap);
    }
    if (r >= 0)
        r = sd_bus_call_async(c->bus, &slot, m, on_reply, &p, c->deadline - now);
    sd_bus_message_unref(m);
    if (r < 0) {
        snprintf(why, whylen, "%s: %s", member, strerror(-r));
        return CALL_BROKEN;
    }
    result = wait_reply(c, &p);
    sd_bus_slot_unref(slot); /* forgets a call still pending */
    if (result == CALL_OK) {
        const sd_bus_error *e = sd_bus_message_get_error(p.reply);
        const char *sender = sd_bus_message_get_sender(p.reply);
        if (e) {
            snprintf(why, whylen, "%s: %s", member, e->name ? e->name : "error");
            /* sd-bus's own timeout (it fires at our deadline too) */
            result = sd_bus_error_has_name(e, SD_BUS_ERROR_TIMEOUT) ? CALL_TIMEOUT : CALL_ERROR_REPLY;
        } else if (!sender || strcmp(sender, dest) != 0) {
            snprintf(why, whylen, "%s: answer from %s, not %s", member, sender ? sender : "nobody", dest);
            result = CALL_BROKEN;
        }
    } else if (result == CALL_TIMEOUT) {
        snprintf(why, whylen, "%s: no answer before the deadline", member);
    } else if (result == CALL_CANCELLED) {
        snprintf(why, whylen, "%s: cancelled", member);
    } else {
        snprintf(why, whylen, "%s: connection to the bus lost", member);
    }
    if (result == CALL_OK)
        *ret = p.reply;
    else
        sd_bus_message_unref(p.reply);
    return result;
}

static void conn_close(struct conn *c) {
    if (c->bus)
        sd_bus_close_unref(c->bus); /* never flushes: a hung peer cannot block us */
    free(c->owner);
    c->bus = NULL;
    c->owner = NULL;
}

/* Connect and find the owner of BUS_NAME; believe it only if it runs as
 * `daemon_user` or root. Returns 0 or a negative CALL_* code (why filled). */
static int conn_open(struct conn *c, const struct options *o, char *why, size_t whylen) {
    sd_bus_message *reply = NULL;
    const char *owner = NULL;
    uint32_t uid = UINT32_MAX;
    int r = sd_bus_open_system(&c->bus); /* secure_getenv: setuid callers get the real bus */
    if (r < 0) {
        snprintf(why, whylen, "cannot connect to the system bus: %s", strerror(-r));
        c->bus = NULL;
        return CALL_BROKEN;
    }
    r = call(c, DBUS_NAME, "/org/freedesktop/DBus", DBUS_NAME, "GetNameOwner", &reply, why, whylen, "s",
             BUS_NAME);
    if (r == CALL_ERROR_REPLY && strstr(why, "NameHasNoOwner")) {
        /* faceauthd is D-Bus activatable: start it (within the same deadline) */
        r = call(c, DBUS_NAME, "/org/freedesktop/DBus", DBUS_NAME, "StartServiceByName", &reply, why, whylen,
                 "su", BUS_NAME, 0u);
        sd_bus_message_unref(reply);
        reply = NULL;
        if (r < 0)
            return r;
        r = call(c, DBUS_NAME, "/org/freedesktop/DBus", DBUS_NAME, "GetNameOwner", &reply, why, whylen, "s",
                 BUS_NAME);
    }
    if (r < 0)
        return r;
    if (sd_bus_message_read(reply, "s", &owner) < 0 || !owner || owner[0] != ':' ||
        !(c->owner = strdup(owner))) {
        sd_bus_message_unref(reply);
        snprintf(why, whylen, "GetNameOwner: bad answer");
        return CALL_BROKEN;
    }
    sd_bus_message_unref(reply);
    r = call(c, DBUS_NAME, "/org/freedesktop/DBus", DBUS_NAME, "GetConnectionUnixUser", &reply, why, whylen,
             "s", c->owner);
    if (r < 0)
        return r;
    r = sd_bus_message_read(reply, "u", &uid);
    sd_bus_message_unref(reply);
    if (r < 0) {
        snprintf(why, whylen, "GetConnectionUnixUser: bad answer");
        return CALL_BROKEN;
    }

    struct passwd pw, *res = NULL;
    char buf[4096];
    bool trusted = uid == 0;
    if (!trusted && getpwnam_r(o->daemon_user, &pw, buf, sizeof buf, &res) == 0 && res)
        trusted = res->pw_uid == uid;
    if (!trusted) {
        snprintf(why, whylen, "%s is owned by %s running as uid %u, neither %s nor root: not believed",
                 BUS_NAME, c->owner, (unsigned)uid, o->daemon_user);
        return CALL_ERROR_REPLY;
    }

    /* The owner's uid came from the bus itself: believe the bus only if it is
     * the system's (run by root or messagebus). A program that is not setuid
     * (a screen locker) honours DBUS_SYSTEM_BUS_ADDRESS, which a user could
     * point at a bus of their own that answers "uid 0" for anybody. */
    sd_bus_creds *bus_creds = NULL;
    uid_t bus_uid = (uid_t)-1;
    /* sd-bus reports the socket peer's credentials (SO_PEERCRED) as its euid */
    if (sd_bus_get_owner_creds(c->bus, SD_BUS_CREDS_EUID, &bus_creds) >= 0)
        (void)sd_bus_creds_get_euid(bus_creds, &bus_uid);
    sd_bus_creds_unref(bus_creds);
    bool bus_trusted = bus_uid == 0;
    res = NULL;
    if (!bus_trusted && bus_uid != (uid_t)-1 && getpwnam_r("messagebus", &pw, buf, sizeof buf, &res) == 0 &&
        res)
        bus_trusted = res->pw_uid == bus_uid;
    if (!bus_trusted) {
        snprintf(why, whylen,
                 "the bus is run by uid %ld, not by root or messagebus: not the system bus, not believed",
                 bus_uid == (uid_t)-1 ? -1L : (long)bus_uid);
        return CALL_ERROR_REPLY;
    }
    return 0;
}

/* ------------------------------------------------------------------ the daemon's answers */

static enum outcome outcome_of(const char *result) {
    static const struct {
        const char *name;
        enum outcome o;
    } table[] = {
        {FACEAUTH_RESULT_MATCH, O_MATCH},
        {FACEAUTH_RESULT_NO_MATCH, O_NO_MATCH},
        {FACEAUTH_RESULT_NO_FACE, O_NO_FACE},
        {FACEAUTH_RESULT_TIMEOUT, O_TIMEOUT},
        {FACEAUTH_RESULT_CAMERA_UNAVAILABLE, O_CAMERA},
        {FACEAUTH_RESULT_LOCKED_OUT, O_LOCKED},
        {FACEAUTH_RESULT_REFUSED, O_REFUSED},
        {FACEAUTH_RESULT_NOT_ENROLLED, O_NOT_ENROLLED},
        {FACEAUTH_RESULT_CANCELLED, O_CANCELLED},
        {FACEAUTH_RESULT_ENROLL_AGAIN, O_ENROLL_AGAIN},
        {FACEAUTH_RESULT_SPOOF_SUSPECTED, O_SPOOF},
        {FACEAUTH_RESULT_LIVENESS_UNAVAILABLE, O_NO_LIVENESS},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (!strcmp(result, table[i].name))
            return table[i].o;
    return O_UNAVAILABLE;
}

static int read_variant(sd_bus_message *m, char type, void *out) {
    char sig[2] = {type, 0};
    int r = sd_bus_message_enter_container(m, 'v', sig);
    if (r <= 0)
        return sd_bus_message_skip(m, "v");
    r = sd_bus_message_read_basic(m, type, out);
    sd_bus_message_exit_container(m);
    return r;
}

static int parse_verify(sd_bus_message *m, struct verdict *v) {
    const char *result = NULL, *key = NULL;
    int r = sd_bus_message_read(m, "s", &result);
    if (r < 0 || (r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
        return r;
    v->outcome = outcome_of(result);
    snprintf(v->why, sizeof v->why, "daemon answered %s", result);
    while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
        const char *s = NULL;
        if ((r = sd_bus_message_read_basic(m, 's', &key)) < 0)
            return r;
        if (!strcmp(key, FACEAUTH_DETAIL_HINT) || !strcmp(key, FACEAUTH_DETAIL_INCIDENT)) {
            if ((r = read_variant(m, 's', &s)) < 0)
                return r;
            char **dst = key[0] == 'h' ? &v->hint : &v->incident;
            if (s && *s && !*dst)
                *dst = dup_shown(s);
        } else if (!strcmp(key, FACEAUTH_DETAIL_LOCKED_UNTIL)) {
            if ((r = read_variant(m, 't', &v->locked_until)) < 0)
                return r;
        } else if ((r = sd_bus_message_skip(m, "v")) < 0) {
            return r;
        }
        if ((r = sd_bus_message_exit_container(m)) < 0)
            return r;
    }
    return r < 0 ? r : sd_bus_message_exit_container(m);
}

/* True when the daemon's liveness mode is "blink" (its Liveness property), so
 * the person is asked to blink. Any failure: false (the attempt goes on). */
static bool asks_for_blink(struct conn *c) {
    sd_bus_message *reply = NULL;
    const char *mode = NULL;
    char why[160];
    bool blink = false;
    if (call(c, c->owner, OBJECT_PATH, "org.freedesktop.DBus.Properties", "Get", &reply, why, sizeof why,
             "ss", INTERFACE, FACEAUTH_PROPERTY_LIVENESS) != CALL_OK)
        return false;
    if (read_variant(reply, 's', &mode) > 0 && mode)
        blink = !strcmp(mode, FACEAUTH_LIVENESS_BLINK);
    sd_bus_message_unref(reply);
    return blink;
}

/* Verify(user, {"timeout": seconds, "require": what the service accepts}) bounded by c->deadline. */
static void do_verify(struct conn *c, const char *user, const char *require, struct verdict *v) {
    sd_bus_message *reply = NULL;
    uint64_t left = c->deadline > now_usec() ? c->deadline - now_usec() : 0;
    uint32_t secs = left > VERIFY_MARGIN_USEC ? (uint32_t)((left - VERIFY_MARGIN_USEC) / USEC_PER_SEC) : 0;
    if (secs < 1)
        secs = 1;
    if (secs > MAX_TIMEOUT)
        secs = MAX_TIMEOUT;
    int r = call(c, c->owner, OBJECT_PATH, INTERFACE, "Verify", &reply, v->why, sizeof v->why, "sa{sv}", user,
                 3u, FACEAUTH_OPTION_TIMEOUT, "u", secs, FACEAUTH_OPTION_REQUIRE, "s", require,
                 FACEAUTH_OPTION_LOGIN, "b", 1);
    if (r == CALL_OK) {
        if (parse_verify(reply, v) < 0) {
            v->outcome = O_UNAVAILABLE;
            snprintf(v->why, sizeof v->why, "Verify: malformed answer");
        }
        sd_bus_message_unref(reply);
    } else {
        v->outcome = r == CALL_TIMEOUT ? O_HUNG : r == CALL_CANCELLED ? O_CANCELLED : O_UNAVAILABLE;
    }
}

/* What the person is told and what the stack is told. */
/* PAM_SILENT (sudo passes it by default: sudoers pam_silent) hides the progress
 * texts and hints; the reason a face was refused is still said, or the person
 * is asked for a password with no reason given. `quiet` hides that too. */
static int conclude(pam_handle_t *pamh, const struct options *o, int flags, const struct verdict *v) {
    bool talk = !o->quiet && !(flags & PAM_SILENT);
    bool tell = !o->quiet;
    int rc = PAM_AUTHINFO_UNAVAIL;
    const char *msg = NULL;
    char when[32] = "";

    /* A breach notice is owed to the person whatever the options say. */
    if (v->incident)
        say(pamh, PAM_TEXT_INFO, "%s", v->incident);
    switch (v->outcome) {
    case O_MATCH: rc = PAM_SUCCESS; break;
    case O_NO_MATCH:
        rc = PAM_AUTH_ERR;
        msg = _("Face not recognised");
        break;
    case O_NO_FACE: msg = _("No face seen"); break;
    case O_TIMEOUT:
    case O_HUNG: msg = _("Face verification timed out"); break;
    case O_CAMERA: msg = _("Camera unavailable"); break;
    case O_REFUSED: msg = _("Face verification is suspended for this account; use your password"); break;
    case O_NOT_ENROLLED: rc = PAM_IGNORE; break;
    case O_SPOOF:
        rc = PAM_AUTH_ERR;
        msg = v->hint && !strcmp(v->hint, FACEAUTH_HINT_BLINK)
                  ? _("Face not accepted: no blink was seen; use your password")
                  : _("Face not accepted: the camera may be seeing a photo or a screen; use your password");
        break;
    case O_NO_LIVENESS:
        msg = _("This login needs a liveness check the camera cannot provide; use your password");
        break;
    case O_ENROLL_AGAIN:
        msg = _("Your face enrollment was made with another face model: run faceauthctl enroll again; use "
                "your password now");
        break;
    case O_LOCKED: {
        rc = PAM_AUTH_ERR;
        time_t t = (time_t)v->locked_until;
        struct tm tm;
        if (v->locked_until && localtime_r(&t, &tm))
            strftime(when, sizeof when, "%H:%M", &tm);
        msg = _("Face verification is locked after too many failed attempts; use your password");
        break;
    }
    case O_CANCELLED:
    case O_UNAVAILABLE: break;
    }
    if (tell && when[0])
        say(pamh, PAM_ERROR_MSG, _("Face verification is locked until %s; use your password"), when);
    else if (tell && msg)
        say(pamh, PAM_ERROR_MSG, "%s", msg);
    if (talk && v->hint && rc != PAM_SUCCESS && rc != PAM_IGNORE && v->outcome != O_LOCKED &&
        v->outcome != O_REFUSED && v->outcome != O_ENROLL_AGAIN && v->outcome != O_SPOOF &&
        v->outcome != O_NO_LIVENESS) {
        /* A hint is a code (faceauth-dbus.h): shown in the person's language, an unknown one not at all. */
        const char *text = faceauth_hint_text(v->hint);
        if (text)
            say(pamh, PAM_TEXT_INFO, "%s", _(text));
    }
    return rc;
}

static void verdict_free(struct verdict *v) {
    free(v->hint);
    free(v->incident);
    v->hint = v->incident = NULL;
}

static void cleanup_string(pam_handle_t *pamh, void *data, int status) {
    (void)pamh;
    (void)status;
    free(data);
}

/* ------------------------------------------------------------------ password and face at once */

struct worker {
    struct conn *c;
    const char *user, *require;
    struct verdict v;
    pthread_mutex_t lock;
    bool finished;
};

/* Runs Verify beside the conversation. Touches only its connection and its
 * own struct: never the PAM handle (libpam is not thread-safe). */
static void *worker_main(void *arg) {
    struct worker *w = arg;
    struct verdict v = {0};
    do_verify(w->c, w->user, w->require, &v);
    pthread_mutex_lock(&w->lock);
    w->v = v;
    w->finished = true;
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static bool worker_finished(struct worker *w) {
    pthread_mutex_lock(&w->lock);
    bool f = w->finished;
    pthread_mutex_unlock(&w->lock);
    return f;
}

/* Ask for the password while the camera runs. Returns the PAM code. */
static int parallel_auth(pam_handle_t *pamh, const struct options *o, int flags, struct conn *c,
                         const char *user, bool blink) {
    struct worker w = {.c = c, .user = user, .require = o->require};
    int pipefd[2], rc;
    pthread_t th;
    sigset_t all, old;
    char *resp = NULL;
    bool talk = !o->quiet && !(flags & PAM_SILENT);

    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return -1;
    c->cancel_fd = pipefd[0];
    pthread_mutex_init(&w.lock, NULL);
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old); /* the application's signals stay on its thread */
    rc = pthread_create(&th, NULL, worker_main, &w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        close(pipefd[0]);
        close(pipefd[1]);
        c->cancel_fd = -1;
        pthread_mutex_destroy(&w.lock);
        return -1;
    }

    if (blink && !o->quiet)
        say(pamh, PAM_TEXT_INFO, "%s",
            _("Look at the camera, blink and press Enter, or type your password."));
    else if (talk)
        say(pamh, PAM_TEXT_INFO, "%s", _("Look at the camera and press Enter, or type your password."));
    int conv = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, &resp, "%s", _("Password: "));
    bool typed = conv == PAM_SUCCESS && resp && resp[0];
    bool face_first = worker_finished(&w);

    if (typed) {
        pam_set_item(pamh, PAM_AUTHTOK, resp); /* the next module (try_first_pass) checks it */
    } else if (conv == PAM_SUCCESS && !face_first && talk) {
        say(pamh, PAM_TEXT_INFO, "%s", _("Looking at the camera…"));
    }
    if (resp) {
        explicit_bzero(resp, strlen(resp));
        free(resp);
    }
    if (typed || conv != PAM_SUCCESS)
        (void)!write(pipefd[1], "x", 1); /* the face lost the race */
    pthread_join(th, NULL);              /* bounded: the worker stops at the deadline or on the pipe */
    close(pipefd[0]);
    close(pipefd[1]);
    c->cancel_fd = -1;
    pthread_mutex_destroy(&w.lock);

    if (o->debug)
        pam_syslog(pamh, LOG_DEBUG, "parallel: %s, face %s first (%s)",
                   typed                 ? "password typed"
                   : conv == PAM_SUCCESS ? "Enter pressed"
                                         : "conversation failed",
                   face_first ? "arrived" : "did not arrive", w.v.why);
    if (typed && face_first && w.v.outcome == O_MATCH) {
        rc = PAM_SUCCESS;
    } else if (typed) {
        rc = PAM_IGNORE; /* the password decides, in the next module */
    } else if (conv != PAM_SUCCESS) {
        rc = PAM_CONV_ERR;
    } else {
        rc = conclude(pamh, o, flags, &w.v); /* shows the incident, if any */
    }
    if ((typed || conv != PAM_SUCCESS) && w.v.incident)
        say(pamh, PAM_TEXT_INFO, "%s", w.v.incident);
    verdict_free(&w.v);
    return rc;
}

/* ------------------------------------------------------------------ PAM entry points */

EXPORT int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv) {
    struct options o;
    struct conn c = {.cancel_fd = -1};
    struct verdict v = {0};
    sd_bus_message *reply = NULL;
    const char *user = NULL, *why;
    const void *tok = NULL;
    char err[200] = "";
    int enrolled = 0, r, rc;

    parse_options(pamh, argc, argv, &o);
    bindtextdomain(TEXT_DOMAIN, FACEAUTH_LOCALEDIR);
    bind_textdomain_codeset(TEXT_DOMAIN, "UTF-8");

    if ((why = remote_reason(pamh))) {
        if (o.debug)
            pam_syslog(pamh, LOG_DEBUG, "skipped: %s", why);
        return PAM_IGNORE;
    }
    if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || !user)
        return PAM_USER_UNKNOWN;
    if (!valid_user_name(user)) {
        if (o.debug)
            pam_syslog(pamh, LOG_DEBUG, "skipped: user name cannot be enrolled");
        return PAM_IGNORE;
    }
    c.deadline = now_usec() + o.timeout * USEC_PER_SEC;

    r = conn_open(&c, &o, err, sizeof err);
    if (r == 0)
        r = call(&c, c.owner, OBJECT_PATH, INTERFACE, "IsEnrolled", &reply, err, sizeof err, "s", user);
    if (r == 0) {
        if (sd_bus_message_read(reply, "b", &enrolled) < 0)
            r = CALL_BROKEN;
        sd_bus_message_unref(reply);
    }
    if (r < 0) {
        conn_close(&c);
        if (r == CALL_ERROR_REPLY && strstr(err, FACEAUTH_ERROR_INVALID_ARGUMENT)) {
            if (o.debug)
                pam_syslog(pamh, LOG_DEBUG, "skipped: %s", err);
            return PAM_IGNORE; /* e.g. a user unknown to the daemon */
        }
        pam_syslog(pamh, strstr(err, "not believed") ? LOG_WARNING : LOG_NOTICE,
                   "face verification unavailable: %s", err);
        return PAM_AUTHINFO_UNAVAIL;
    }
    if (!enrolled) {
        conn_close(&c);
        if (o.debug)
            pam_syslog(pamh, LOG_DEBUG, "skipped: %s is not enrolled", user);
        return PAM_IGNORE;
    }

    /* Remember the attempt: a later successful login (account phase) clears the lockout. */
    char *mark = strdup(user);
    if (mark && pam_set_data(pamh, DATA_KEY, mark, cleanup_string) != PAM_SUCCESS)
        free(mark);

    /* The blink request is needed to pass, so PAM_SILENT does not hide it (quiet does). */
    bool blink = !o.quiet && asks_for_blink(&c);
    if (o.parallel && !(pam_get_item(pamh, PAM_AUTHTOK, &tok) == PAM_SUCCESS && tok)) {
        rc = parallel_auth(pamh, &o, flags, &c, user, blink);
        if (rc != -1)
            goto done;
        pam_syslog(pamh, LOG_ERR, "parallel mode unavailable (%s); asking for the face only",
                   strerror(errno));
    }
    /* max_tries: another attempt after no-match / no-face while the deadline allows */
    for (unsigned attempt = 1;; attempt++) {
        if (blink)
            say(pamh, PAM_TEXT_INFO, "%s", _("Look at the camera and blink…"));
        else if (!o.quiet && !(flags & PAM_SILENT))
            say(pamh, PAM_TEXT_INFO, "%s", _("Looking at the camera…"));
        v = (struct verdict){0};
        do_verify(&c, user, o.require, &v);
        if (o.debug)
            pam_syslog(pamh, LOG_DEBUG, "verify %s (attempt %u): %s", user, attempt, v.why);
        else if (v.outcome == O_UNAVAILABLE || v.outcome == O_HUNG)
            pam_syslog(pamh, LOG_NOTICE, "%s", v.why);
        rc = conclude(pamh, &o, flags, &v);
        bool again = (v.outcome == O_NO_MATCH || v.outcome == O_NO_FACE) && attempt < o.max_tries &&
                     now_usec() + USEC_PER_SEC + VERIFY_MARGIN_USEC <= c.deadline;
        verdict_free(&v);
        if (!again)
            break;
    }
done:
    if (rc == PAM_SUCCESS)
        pam_set_data(pamh, DATA_KEY, NULL, NULL); /* a match reset the counter already */
    conn_close(&c);
    return rc;
}

EXPORT int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv) {
    (void)pamh;
    (void)flags;
    (void)argc;
    (void)argv;
    return PAM_SUCCESS;
}

/* After a successful authentication (by any module) following a face attempt
 * that did not match, clear the user's lockout. Never denies an account. */
EXPORT int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv) {
    struct options o;
    struct conn c = {.cancel_fd = -1};
    sd_bus_message *reply = NULL;
    const void *mark = NULL;
    const char *user = NULL;
    char err[200] = "";
    (void)flags;

    parse_options(pamh, argc, argv, &o);
    if (pam_get_data(pamh, DATA_KEY, &mark) != PAM_SUCCESS || !mark)
        return PAM_IGNORE;
    if (pam_get_item(pamh, PAM_USER, (const void **)&user) != PAM_SUCCESS || !user || strcmp(user, mark) != 0)
        return PAM_IGNORE;
    c.deadline = now_usec() + o.timeout * USEC_PER_SEC;
    int r = conn_open(&c, &o, err, sizeof err);
    if (r == 0)
        r = call(&c, c.owner, OBJECT_PATH, INTERFACE, "ResetLockout", &reply, err, sizeof err, "s", user);
    sd_bus_message_unref(reply);
    conn_close(&c);
    if (r < 0)
        pam_syslog(pamh, LOG_NOTICE, "could not clear the face lockout of %s: %s", user, err);
    else if (o.debug)
        pam_syslog(pamh, LOG_DEBUG, "cleared the face lockout of %s", user);
    pam_set_data(pamh, DATA_KEY, NULL, NULL);
    return PAM_IGNORE;
}
