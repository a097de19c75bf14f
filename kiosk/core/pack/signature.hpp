// Signed packs: a pack carries SIGNATURE, an Ed25519 signature (libsodium)
// over the SHA-256 of every file in it, so a kiosk installs only packs from a
// key it trusts, and any file changed, added or removed since is named.
#pragma once

#include "pack/pack.hpp"
#include "result/result.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sayso::pack {

inline constexpr const char* kSignatureFile = "SIGNATURE";

struct KeyPair {
    std::string public_key; // base64, 32 bytes
    std::string secret_key; // base64, 64 bytes
};
std::optional<KeyPair> make_keys();

// Why a pack could not be signed, or a file of trusted keys read.
struct KeyProblem {
    enum class Kind {
        NoCrypto,  // libsodium could not start
        NotAKey,   // the text is not a key of the kind needed
        CantRead,  // a file can't be read
        CantWrite, // SIGNATURE can't be written
        NotAPack,  // the folder is not a pack that can be signed
    };
    Kind kind = Kind::NotAKey;
    std::string where; // the file (and line) at fault
    std::string why;   // for NotAPack: the first problem found
};
std::string describe(const KeyProblem&);
template <class T> using KeyResult = Result<T, KeyProblem>;

// Signs every file of the pack in `dir` with `secret_key` (base64), writing dir/SIGNATURE.
KeyResult<void> sign_pack(const std::filesystem::path& dir, const std::string& secret_key);

// Who may sign packs for this kiosk, and whether unsigned ones are let in
// (a development setting the screens announce).
struct Trust {
    std::vector<std::string> keys; // base64 public keys
    bool allow_unsigned = false;
};

// Reads trusted keys, one base64 key a line ('#' starts a comment).
KeyResult<std::vector<std::string>> read_trusted_keys(const std::filesystem::path& file);

// Problems with the pack's signature (empty: signed by a trusted key, every
// file as signed). Unsigned packs are refused unless `trust.allow_unsigned`.
std::vector<Problem> check_signature(const std::filesystem::path& dir, const Trust& trust);

} // namespace sayso::pack
