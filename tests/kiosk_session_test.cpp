// The locked-down kiosk session (tools/kiosk-session): what can be checked
// without booting a tablet into it.
#include "support.hpp"

#include <doctest/doctest.h>

TEST_CASE("the kiosk session's systemd unit is one systemd accepts without a word") {
    const auto unit = test::source_dir / "tools" / "kiosk-session" / "sayso-kiosk.service";
    auto r = test::run({"/usr/bin/systemd-analyze", "verify", unit.string()});
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK(r.err.empty()); // an unknown or misspelt key is only a warning: none allowed
    const std::string text = test::read_file(unit);
    CHECK(text.find("ExecStart=/usr/bin/cage -d -- /opt/sayso/bin/sayso --fullscreen") != std::string::npos);
    CHECK(text.find("Restart=always") != std::string::npos);
}
