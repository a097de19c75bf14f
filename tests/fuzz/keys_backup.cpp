// libFuzzer: a keys backup's outer layer as `keys restore` reads it before
// working the passphrase; whoever hands over the file controls every byte.
// (The box inside opens only with the passphrase; its keys go through
// read_keys, fuzzed as keys_file.)
#include "keys.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto backup = sayso::collector::read_backup(std::string(reinterpret_cast<const char*>(data), size));
    if (!backup) (void)backup.words();
    return 0;
}
