// libFuzzer: POST /v1/enrol's body, which anyone who can reach the collector
// may send, before any code is checked. What is read is written again and
// must read back the same.
#include "protocol/codec.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    (void)sayso::protocol::normalise_code(body);
    const auto asked = sayso::protocol::read_enrol_request(body);
    if (!asked) {
        (void)asked.words();
        return 0;
    }
    const auto again = sayso::protocol::read_enrol_request(sayso::protocol::write_enrol_request(*asked));
    if (!again || !(*again == *asked)) std::abort();
    return 0;
}
