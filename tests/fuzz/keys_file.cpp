// libFuzzer: a keys file as the collector reads it at start (serve, reports,
// export --keys); a damaged or hostile one must be refused in words.
#include "keys.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto keys = sayso::collector::read_keys(std::string(reinterpret_cast<const char*>(data), size));
    if (!keys) (void)keys.words();
    return 0;
}
