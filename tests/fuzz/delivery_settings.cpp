// libFuzzer: the tablet's delivery settings file (sync/README.md), which an
// admin writes by hand and enrolment rewrites from the collector's reply.
#include "config.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto c = sayso::sync::parse_config(text, "sync.json");
    if (!c) (void)c.words();
    return 0;
}
