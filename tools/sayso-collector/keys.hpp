// The collector's sealing keys: tablets seal each answer to a public key
// (libsodium's crypto_box_seal); only the secret keys kept here open them.
// Several key pairs may be held, so keys can be rotated and answers sealed
// to an older key still open.
#pragma once

#include "ingest.hpp"
#include "result/result.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sayso::collector {

// Why keys could not be read, made, backed up, restored, or an answer opened.
struct KeysProblem {
    enum class Kind {
        NoCrypto,        // libsodium could not start
        CantRead,        // a file can't be read
        CantWrite,       // a file can't be written (nothing was changed)
        Damaged,         // a keys file, backup or sealed answer is not what it must be
        WrongPassphrase, // the backup's passphrase is wrong (or the backup damaged)
        Refused,         // the request itself can't be done (a bad id, a short passphrase, a clash)
        UnknownKey,      // an answer is sealed to a key not held
    };
    Kind kind = Kind::Damaged;
    std::string why; // in words, naming the file or key
};
inline std::string describe(const KeysProblem& p) {
    return p.why;
}
template <class T> using KeysResult = Result<T, KeysProblem>;

// Reads a keys file (JSON list of {id, public_key, secret_key}): each id
// once, each pair's public key the one its secret key makes.
KeysResult<std::vector<SealKeyPair>> load_keys(const std::filesystem::path& file);
// The same from the file's text; the words say what is wrong, to follow the file's name.
KeysResult<std::vector<SealKeyPair>> read_keys(const std::string& text);
// Makes a new key pair and adds it to the file (created readable by its owner alone).
KeysResult<SealKeyPair> new_key(const std::filesystem::path& file, const std::string& id);
// Backups: the keys file sealed under a passphrase (Argon2id, then
// XSalsa20-Poly1305), written readable by its owner alone; never overwrites.
KeysResult<void> backup_keys(const std::filesystem::path& keys_file, const std::filesystem::path& out,
                             const std::string& passphrase);
// Reads a backup back into the keys file: keys it lacks are added, keys it
// holds are left as they are; a key id held with a different secret is refused.
// Gives the ids added.
KeysResult<std::vector<std::string>> restore_keys(const std::filesystem::path& backup,
                                                  const std::filesystem::path& keys_file,
                                                  const std::string& passphrase);
// A backup's outer layer, read without working the passphrase: what the
// passphrase needs (Argon2id limits, salt) and the sealed box.
struct KeysBackup {
    unsigned long long opslimit = 0;
    std::size_t memlimit = 0;
    std::vector<unsigned char> salt, nonce, box;
};
// Words to follow the backup's name when it is not one ("is damaged", ...).
KeysResult<KeysBackup> read_backup(const std::string& text);
// Works the passphrase and opens the box into `keys`, or says why not
// (`name` is the backup's, for the words).
KeysResult<std::vector<SealKeyPair>> open_backup(const KeysBackup&, const std::string& passphrase,
                                                 const std::string& name);
// The shortest passphrase a backup takes.
constexpr std::size_t kMinPassphrase = 12;

// Opens a sealed answer in place (skipped, options, text), or says why not.
KeysResult<void> open_sealed(const std::vector<SealKeyPair>& keys, Answer& answer);

} // namespace sayso::collector
