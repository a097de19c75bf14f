// libFuzzer: POST /v1/enrol's body, which anyone who can reach the collector
// may send, before any code is checked.
#include "ingest.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    sayso::collector::Enrolment e;
    const std::string body(reinterpret_cast<const char*>(data), size);
    (void)sayso::collector::read_enrolment(body, e);
    (void)sayso::collector::normalise_code(body);
    return 0;
}
