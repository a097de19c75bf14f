// libFuzzer: replay scripts, which `sayso --replay` and `sayso-admin preview` read.
#include "script/script.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto s = sayso::script::parse_script(text);
    if (!s) {
        if (s.problem().line < 0) std::abort();
        (void)s.words();
        return 0;
    }
    for (const auto& c : s->commands) {
        using V = sayso::script::Command::Verb;
        if (c.verb == V::Shot && (c.arg.find('/') != std::string::npos || c.arg.find("..") != std::string::npos))
            std::abort(); // a screenshot never leaves its folder
        if ((c.verb == V::Wait || c.verb == V::Idle) && c.number < 0) std::abort();
    }
    return 0;
}
