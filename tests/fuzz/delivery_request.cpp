// libFuzzer: a delivery request body as a stranger with a token could send
// it (sync/PROTOCOL.md), through protocol::read_delivery and then never_taken
// with real keys and packs, as POST /v1/responses runs them. What is read is
// written again and must read back the same: the reader and the writer agree.
#include "ingest.hpp"

#include <sodium.h>

#include "formats/base64.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

sayso::collector::Intake make_intake() {
    sayso::collector::Intake in;
    in.packs["after-my-visit"] = {"4-7", "8-11", "12-17"};
    if (sodium_init() < 0) return in;
    unsigned char seed[crypto_box_SEEDBYTES] = {7};
    unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
    crypto_box_seed_keypair(pk, sk, seed);
    in.keys.push_back({"k1", sayso::formats::to_base64(pk, sizeof pk), sayso::formats::to_base64(sk, sizeof sk)});
    return in;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const sayso::collector::Intake intake = make_intake();
    const std::string body(reinterpret_cast<const char*>(data), size);
    auto delivery = sayso::protocol::read_delivery(body);
    if (!delivery) {
        (void)delivery.words();
        return 0;
    }
    const auto again = sayso::protocol::read_delivery(sayso::protocol::write_delivery(*delivery));
    if (!again || !(*again == *delivery)) std::abort();
    for (const auto& r : sayso::collector::received(std::move(*delivery)))
        (void)sayso::collector::never_taken(r, intake);
    return 0;
}
