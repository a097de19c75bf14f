// libFuzzer: a "you said, we did" reply from the collector, read by the
// tablet's delivery thread (PROTOCOL.md, "GET /v1/wedid"), as a signed list
// and as the payload inside one. Whatever it says, what is read keeps every
// limit, and reads back the same once signed again.
#include "protocol/codec.hpp"

#include <sodium.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace {

struct Key {
    std::vector<unsigned char> secret = std::vector<unsigned char>(crypto_sign_SECRETKEYBYTES);
    std::string public_key;
    Key() {
        if (sodium_init() < 0) std::abort();
        unsigned char pk[crypto_sign_PUBLICKEYBYTES];
        crypto_sign_keypair(pk, secret.data());
        char b64[sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(b64, sizeof b64, pk, sizeof pk, sodium_base64_VARIANT_ORIGINAL);
        public_key = b64;
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const Key key;
    using namespace sayso::protocol;
    const std::string body(reinterpret_cast<const char*>(data), size);
    // Nobody but the key's holder can sign: from a stranger, never a list.
    if (read_we_did(body, key.public_key, "tablet")) std::abort();
    const auto list = read_we_did_payload(body);
    if (!list) {
        (void)describe(list.problem());
        return 0;
    }
    if (list->entries.size() > kMaxWeDidEntries) std::abort();
    std::map<std::string, std::size_t> per_language;
    for (const auto& e : list->entries) {
        if (e.you_said.empty() || e.we_did.empty() || e.you_said.size() > kMaxWeDidText ||
            e.we_did.size() > kMaxWeDidText || e.language.size() < 2 || e.language.size() > kMaxLanguage ||
            ++per_language[e.language] > kMaxWeDidPerLanguage)
            std::abort();
    }
    // Signed by the collector and read back: the same list.
    const auto again = read_we_did(write_we_did(*list, key.secret), key.public_key, list->device_id);
    if (!again || !(*again == *list)) std::abort();
    return 0;
}
