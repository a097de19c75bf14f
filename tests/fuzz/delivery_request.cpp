// libFuzzer: a delivery request body as a stranger with a token could send
// it (sync/PROTOCOL.md), through read_request and then never_taken with real
// keys and packs, as POST /v1/responses runs them.
#include "ingest.hpp"

#include <sodium.h>

#include "formats/base64.hpp"

#include <cstdint>
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
    std::vector<sayso::collector::Response> out;
    std::string device;
    if (!sayso::collector::read_request(body, out, device))
        for (const auto& r : out)
            (void)sayso::collector::never_taken(r, intake);
    return 0;
}
