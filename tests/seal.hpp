// Seals an answer as a tablet does (crypto_box_seal of its JSON to a public key).
#pragma once

#include "formats/base64.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>
#include <stdexcept>
#include <string>
#include <vector>

namespace test {

// The base64 sealed box of `plain` to the base64 public key `public_key`.
inline std::string seal(const std::string& public_key, const std::string& plain) {
    std::vector<unsigned char> pk;
    if (sodium_init() < 0 || !sayso::formats::from_base64(public_key, pk, crypto_box_PUBLICKEYBYTES))
        throw std::runtime_error("not a public key");
    std::vector<unsigned char> box(plain.size() + crypto_box_SEALBYTES);
    crypto_box_seal(box.data(), reinterpret_cast<const unsigned char*>(plain.data()), plain.size(), pk.data());
    return sayso::formats::to_base64(box.data(), box.size());
}

// An answer's sealed part, as the protocol has it.
inline std::string seal_answer(const std::string& public_key, bool skipped, const std::vector<std::string>& options,
                               const std::string& text) {
    return seal(public_key, nlohmann::json{{"skipped", skipped}, {"options", options}, {"text", text}}.dump());
}

} // namespace test
