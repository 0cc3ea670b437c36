// cameras: the V4L2 devices of this machine, what each offers, and whether
// faceauth counts it as infrared (only greyscale formats and a USB ID listed
// in ir_usb_ids; never its name). Asks the devices directly (read-only
// ioctls, no streaming), so it needs access to /dev/video*: root or the
// group video. The daemon makes the same decision for its configured camera
// (Status camera_ir).
#include <algorithm>
#include <iostream>

#include "camera_probe.h"
#include "config.h"
#include "json.h"
#include "source_spec.h"
#include "text.h"
#include "text_safety.h"
#include "verbs.h"

namespace faceauthctl {

int verb_cameras(const Options& o) {
  const faceauth::Config cfg = daemon_config(o);
  std::string configured;
  try {
    const auto spec = faceauth::parse_source_spec(cfg.camera);
    if (spec.kind == faceauth::SourceSpec::Kind::v4l2) configured = spec.path;
  } catch (const std::exception&) {
  }
  std::vector<std::string> paths = o.args;
  if (paths.empty()) {
    paths = faceauth::list_video_nodes();
    if (!configured.empty() && std::find(paths.begin(), paths.end(), configured) == paths.end())
      paths.push_back(configured);
  }
  Json list = Json::array();
  for (const auto& path : paths) {
    const faceauth::CameraProbe p = faceauth::probe_camera(path);
    std::string why;
    const bool ir = faceauth::is_ir_camera(p, cfg.ir_usb_ids, &why);
    Json formats = Json::array();
    std::string format_text;
    for (const auto& f : p.formats) {
      formats.push(Json(f));
      format_text += (format_text.empty() ? "" : " ") + f;
    }
    list.push(Json::object()
                  .set("path", path)
                  .set("configured", path == configured)
                  .set("error", p.error.empty() ? Json() : Json(p.error))
                  .set("card", p.card)
                  .set("driver", p.driver)
                  .set("usb_id", p.usb_id.empty() ? Json() : Json(p.usb_id))
                  .set("capture", p.capture)
                  .set("formats", std::move(formats))
                  .set("ir", ir)
                  .set("ir_reason", why));
    if (o.json) continue;
    std::cout << path << (path == configured ? std::string("  ") + _("(the configured camera)") : "") << "\n";
    if (!p.error.empty()) {
      std::cout << "  " << format(_("cannot be asked: %s"), p.error.c_str()) << "\n";
      continue;
    }
    std::cout << "  "
              << format(_("name: %s (driver %s)"), faceauth::terminal_safe(p.card).c_str(),
                        faceauth::terminal_safe(p.driver).c_str())
              << "\n";
    std::cout << "  " << format(_("USB ID: %s"), p.usb_id.empty() ? _("unknown") : p.usb_id.c_str()) << "\n";
    if (!p.capture) {
      std::cout << "  " << _("not a video capture node (a camera's second node carries metadata)") << "\n";
      continue;
    }
    std::cout << "  " << format(_("formats: %s"), format_text.empty() ? _("none") : format_text.c_str())
              << "\n";
    std::cout << "  " << format(ir ? _("infrared: yes (%s)") : _("infrared: no (%s)"), why.c_str()) << "\n";
  }
  if (o.json) {
    print_json(list);
  } else if (paths.empty()) {
    std::cout << _("No camera found (no /dev/video* device).") << "\n";
  }
  return kOk;
}

}  // namespace faceauthctl
