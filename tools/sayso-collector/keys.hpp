// The collector's sealing keys: tablets seal each answer to a public key
// (libsodium's crypto_box_seal); only the secret keys kept here open them.
// Several key pairs may be held, so keys can be rotated and answers sealed
// to an older key still open.
#pragma once

#include "ingest.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sayso::collector {

// Reads a keys file (JSON list of {id, public_key, secret_key}): each id
// once, each pair's public key the one its secret key makes.
std::optional<std::string> load_keys(const std::filesystem::path& file, std::vector<SealKeyPair>& keys);
// The same from the file's text; the words say what is wrong, to follow the file's name.
std::optional<std::string> read_keys(const std::string& text, std::vector<SealKeyPair>& keys);
// Makes a new key pair and adds it to the file (created readable by its owner alone).
std::optional<std::string> new_key(const std::filesystem::path& file, const std::string& id, SealKeyPair& made);
// Backups: the keys file sealed under a passphrase (Argon2id, then
// XSalsa20-Poly1305), written readable by its owner alone; never overwrites.
std::optional<std::string> backup_keys(const std::filesystem::path& keys_file, const std::filesystem::path& out,
                                       const std::string& passphrase);
// Reads a backup back into the keys file: keys it lacks are added, keys it
// holds are left as they are; a key id held with a different secret is refused.
// `restored` gets the ids added.
std::optional<std::string> restore_keys(const std::filesystem::path& backup, const std::filesystem::path& keys_file,
                                        const std::string& passphrase, std::vector<std::string>& restored);
// A backup's outer layer, read without working the passphrase: what the
// passphrase needs (Argon2id limits, salt) and the sealed box.
struct KeysBackup {
    unsigned long long opslimit = 0;
    std::size_t memlimit = 0;
    std::vector<unsigned char> salt, nonce, box;
};
// Words to follow the backup's name when it is not one ("is damaged", ...).
std::optional<std::string> read_backup(const std::string& text, KeysBackup& out);
// Works the passphrase and opens the box into `keys`, or says why not
// (`name` is the backup's, for the words).
std::optional<std::string> open_backup(const KeysBackup&, const std::string& passphrase, const std::string& name,
                                       std::vector<SealKeyPair>& keys);
// The shortest passphrase a backup takes.
constexpr std::size_t kMinPassphrase = 12;

// Opens a sealed answer in place (skipped, options, text), or says why not.
std::optional<std::string> open_sealed(const std::vector<SealKeyPair>& keys, Answer& answer);

} // namespace sayso::collector
