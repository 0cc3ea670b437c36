// faceauthd: face verification service on the D-Bus system bus
// (or the bus named by DBUS_SYSTEM_BUS_ADDRESS).
//
//   faceauthd [--config PATH]
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <systemd/sd-bus.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>

#include "bus_loop.h"
#include "config.h"
#include "log.h"
#include "service.h"
#include "store.h"

using namespace faceauth;

int main(int argc, char** argv) {
  // A file-size limit reached (RLIMIT_FSIZE) is a failed write the store
  // reports and rolls back, not the end of the service.
  std::signal(SIGXFSZ, SIG_IGN);
  std::string config_path = kDefaultConfigPath;
  bool config_named = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--config" && i + 1 < argc) {
      config_path = argv[++i];
      config_named = true;
    } else if (a == "--help") {
      std::printf("usage: faceauthd [--config PATH]   (default %s)\n", kDefaultConfigPath);
      return 0;
    } else {
      std::fprintf(stderr, "faceauthd: unknown argument '%s'; usage: faceauthd [--config PATH]\n", a.c_str());
      return 2;
    }
  }
  try {
    Config config = load_config(config_path, config_named);
    StoreOptions so;
    so.state_dir = config.state_dir;
    so.lockout.max_failures = config.lockout_attempts;
    so.lockout.duration = std::chrono::seconds(config.lockout_seconds);
    so.retention = std::chrono::days(config.retention_days);
    Store store(so);

    sd_bus* bus = nullptr;
    int r = sd_bus_open_system(&bus);
    if (r < 0)
      throw std::runtime_error(std::string("cannot connect to the system bus: ") + std::strerror(-r));
    boost::asio::io_context io;
    BusLoop loop(io, bus);
    Service service(io, bus, loop, config, store);
    r = sd_bus_request_name(bus, "org.faceauth.FaceAuth1", 0);
    if (r < 0)
      throw std::runtime_error(std::string("cannot own org.faceauth.FaceAuth1: ") + std::strerror(-r) +
                               " (another faceauthd running, or the bus policy does not allow this user)");
    service.housekeeping();
    log::info("faceauthd ready; camera " + config.camera + ", store " + store.db_path());

    boost::asio::steady_timer housekeeping(io);
    std::function<void()> schedule = [&] {
      housekeeping.expires_after(std::chrono::hours(1));
      housekeeping.async_wait([&](const boost::system::error_code& ec) {
        if (ec) return;
        service.housekeeping();
        schedule();
      });
    };
    schedule();
    boost::asio::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](const boost::system::error_code&, int) {
      log::info("stopping");
      io.stop();
    });
    loop.kick();
    io.run();
    service.cancel_camera_jobs();
    sd_bus_flush(bus);
    sd_bus_release_name(bus, "org.faceauth.FaceAuth1");
    sd_bus_flush_close_unref(bus);
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "faceauthd: configuration error: %s\n", e.what());
    return 78;  // EX_CONFIG
  } catch (const std::exception& e) {
    log::crit(std::string("cannot start: ") + e.what());
    return 1;
  }
  return 0;
}
