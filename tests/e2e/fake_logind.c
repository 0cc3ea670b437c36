/* A stand-in for systemd-logind on the private test bus: takes the name
 * org.freedesktop.login1 and emits Manager.PrepareForSleep(true), as logind
 * does before a suspend. Test-only; never installed. */
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>

int main(void) {
  sd_bus* bus = NULL;
  int r = sd_bus_open_system(&bus);
  if (r < 0) {
    fprintf(stderr, "fake-logind: connect: %s\n", strerror(-r));
    return 1;
  }
  r = sd_bus_request_name(bus, "org.freedesktop.login1", 0);
  if (r < 0) {
    fprintf(stderr, "fake-logind: request name: %s\n", strerror(-r));
    return 1;
  }
  r = sd_bus_emit_signal(bus, "/org/freedesktop/login1", "org.freedesktop.login1.Manager", "PrepareForSleep",
                         "b", 1);
  if (r < 0) {
    fprintf(stderr, "fake-logind: emit: %s\n", strerror(-r));
    return 1;
  }
  sd_bus_flush(bus);
  sd_bus_flush_close_unref(bus);
  return 0;
}
