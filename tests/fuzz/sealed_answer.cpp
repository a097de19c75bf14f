// libFuzzer: a sealed answer as a stranger could send one (base64 text and a
// key id), opened with a real key pair as the collector opens it on arrival.
#include "keys.hpp"

#include "formats/base64.hpp"

#include <sodium.h>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::vector<sayso::collector::SealKeyPair> keys = [] {
        std::vector<sayso::collector::SealKeyPair> k;
        if (sodium_init() < 0) return k;
        unsigned char seed[crypto_box_SEEDBYTES] = {7};
        unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
        crypto_box_seed_keypair(pk, sk, seed);
        k.push_back({"k1", sayso::formats::to_base64(pk, sizeof pk), sayso::formats::to_base64(sk, sizeof sk)});
        return k;
    }();
    if (size == 0) return 0;
    sayso::collector::Answer a;
    a.seal_key = data[0] & 1 ? "k1" : "k2";
    const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    // Half the time the bytes are sealed to the real key first, so the opened JSON is what gets fuzzed.
    if (data[0] & 2) {
        std::vector<unsigned char> pk;
        sayso::formats::from_base64(keys[0].public_key, pk, crypto_box_PUBLICKEYBYTES);
        std::vector<unsigned char> box(rest.size() + crypto_box_SEALBYTES);
        crypto_box_seal(box.data(), reinterpret_cast<const unsigned char*>(rest.data()), rest.size(), pk.data());
        a.sealed = sayso::formats::to_base64(box.data(), box.size());
    } else {
        a.sealed = rest;
    }
    (void)sayso::collector::open_sealed(keys, a);
    return 0;
}
