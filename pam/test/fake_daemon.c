/*
 * faceauth-fake-daemon (test only): a stand-in that takes the name
 * org.faceauth.FaceAuth1 on the bus named by DBUS_SYSTEM_BUS_ADDRESS and
 * answers every question the way an attacker would like: IsEnrolled -> true,
 * Verify -> "match". tests/e2e/test_pam.py runs it as an ordinary user on a
 * deliberately permissive bus to prove pam_faceauth.so does not believe it.
 * Prints "ready" once it owns the name; exits on SIGTERM/SIGINT.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-bus.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

static int is_enrolled(sd_bus_message *m, void *userdata, sd_bus_error *error) {
    (void)userdata;
    (void)error;
    return sd_bus_reply_method_return(m, "b", 1);
}

static int verify(sd_bus_message *m, void *userdata, sd_bus_error *error) {
    (void)userdata;
    (void)error;
    return sd_bus_reply_method_return(m, "sa{sv}", "match", 1, "frames", "u", 3u);
}

static int reset_lockout(sd_bus_message *m, void *userdata, sd_bus_error *error) {
    (void)userdata;
    (void)error;
    return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable vtable[] = {
    SD_BUS_VTABLE_START(0), SD_BUS_METHOD("IsEnrolled", "s", "b", is_enrolled, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Verify", "sa{sv}", "sa{sv}", verify, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("ResetLockout", "s", "", reset_lockout, SD_BUS_VTABLE_UNPRIVILEGED), SD_BUS_VTABLE_END};

int main(void) {
    sd_bus *bus = NULL;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    int r = sd_bus_open_system(&bus);
    if (r >= 0)
        r = sd_bus_add_object_vtable(bus, NULL, "/org/faceauth/FaceAuth1", "org.faceauth.FaceAuth1", vtable,
                                     NULL);
    if (r >= 0)
        r = sd_bus_request_name(bus, "org.faceauth.FaceAuth1", 0);
    if (r < 0) {
        fprintf(stderr, "faceauth-fake-daemon: %s\n", strerror(-r));
        sd_bus_unref(bus);
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    while (!stop) {
        r = sd_bus_process(bus, NULL);
        if (r < 0)
            break;
        if (r == 0)
            sd_bus_wait(bus, 200000);
    }
    sd_bus_flush_close_unref(bus);
    return 0;
}
