// libFuzzer: a keys file as the collector reads it at start (serve, reports,
// export --keys); a damaged or hostile one must be refused in words.
#include "keys.hpp"

#include <cstdint>
#include <fstream>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string path = "/tmp/sayso-fuzz-keys-" + std::to_string(getpid()) + ".json";
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    std::vector<sayso::collector::SealKeyPair> keys;
    (void)sayso::collector::load_keys(path, keys);
    return 0;
}
