#include "keys.hpp"

#include "formats/base64.hpp"

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace sayso::collector {

using formats::from_base64;
using formats::to_base64;
using nlohmann::json;

std::optional<std::string> read_keys(const std::string& text, std::vector<SealKeyPair>& keys) {
    keys.clear();
    const json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_array()) return "is not a keys file (a JSON list of keys)";
    std::set<std::string> ids;
    for (std::size_t i = 0; i < j.size(); ++i) {
        const json& k = j[i];
        const std::string which = "key " + std::to_string(i + 1);
        if (!k.is_object() || !k.value("id", json()).is_string() || !k.value("public_key", json()).is_string() ||
            !k.value("secret_key", json()).is_string())
            return "is not a keys file: " + which + " is not {id, public_key, secret_key}";
        SealKeyPair pair{k["id"], k["public_key"], k["secret_key"]};
        if (pair.id.empty() || pair.id.size() > 64) return "has a key id that is empty or longer than 64 characters";
        if (!ids.insert(pair.id).second) return "holds the key id \"" + pair.id + "\" twice";
        // A pair that does not match would take answers it can never open.
        std::vector<unsigned char> pk, sk;
        unsigned char derived[crypto_box_PUBLICKEYBYTES];
        if (!from_base64(pair.public_key, pk, crypto_box_PUBLICKEYBYTES) ||
            !from_base64(pair.secret_key, sk, crypto_box_SECRETKEYBYTES) ||
            crypto_scalarmult_base(derived, sk.data()) != 0 || sodium_memcmp(derived, pk.data(), sizeof derived) != 0) {
            if (!sk.empty()) sodium_memzero(sk.data(), sk.size());
            return "has a damaged key \"" + pair.id + "\" (its public and secret keys do not belong together)";
        }
        sodium_memzero(sk.data(), sk.size());
        keys.push_back(std::move(pair));
    }
    return std::nullopt;
}

std::optional<std::string> load_keys(const std::filesystem::path& file, std::vector<SealKeyPair>& keys) {
    keys.clear();
    if (sodium_init() < 0) return "libsodium could not start";
    std::ifstream in(file, std::ios::binary);
    if (!in) return "can't read the keys file " + file.string();
    std::ostringstream text;
    text << in.rdbuf();
    std::string held = text.str();
    auto e = read_keys(held, keys);
    sodium_memzero(held.data(), held.size());
    if (e) return file.string() + " " + *e;
    return std::nullopt;
}

namespace {

// Written beside, then renamed over: the file is never half written, and it
// is readable by its owner alone.
std::optional<std::string> save_keys(const std::filesystem::path& file, const std::vector<SealKeyPair>& keys) {
    json j = json::array();
    for (const auto& k : keys)
        j.push_back({{"id", k.id}, {"public_key", k.public_key}, {"secret_key", k.secret_key}});
    const std::string tmp = file.string() + ".new";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const std::string text = j.dump(2) + "\n";
    if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) || ::fsync(fd) != 0) {
        if (fd >= 0) ::close(fd);
        return "can't write " + tmp;
    }
    ::close(fd);
    std::error_code ec;
    std::filesystem::rename(tmp, file, ec);
    if (ec) return "can't write " + file.string() + ": " + ec.message();
    return std::nullopt;
}

} // namespace

std::optional<std::string> new_key(const std::filesystem::path& file, const std::string& id, SealKeyPair& made) {
    if (sodium_init() < 0) return "libsodium could not start";
    if (id.empty() || id.size() > 64 || id.find_first_of(" \t\r\n\"") != std::string::npos)
        return "a key id is 1 to 64 characters without spaces";
    std::vector<SealKeyPair> keys;
    std::error_code ec;
    if (std::filesystem::exists(file, ec))
        if (auto e = load_keys(file, keys)) return e;
    for (const auto& k : keys)
        if (k.id == id) return "the keys file already holds a key \"" + id + "\"";
    unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
    crypto_box_keypair(pk, sk);
    made = {id, to_base64(pk, sizeof pk), to_base64(sk, sizeof sk)};
    sodium_memzero(sk, sizeof sk);
    keys.push_back(made);
    return save_keys(file, keys);
}

namespace {

constexpr const char* kBackupFormat = "sayso-collector keys backup";

std::optional<std::string> derive(const std::string& passphrase, const unsigned char* salt, unsigned long long ops,
                                  std::size_t mem, unsigned char* key) {
    if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, passphrase.data(), passphrase.size(), salt, ops, mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return "not enough memory to work the passphrase (" + std::to_string(mem >> 20) + " MiB)";
    return std::nullopt;
}

} // namespace

std::optional<std::string> backup_keys(const std::filesystem::path& keys_file, const std::filesystem::path& out,
                                       const std::string& passphrase) {
    if (sodium_init() < 0) return "libsodium could not start";
    if (passphrase.size() < kMinPassphrase)
        return "the passphrase must be at least " + std::to_string(kMinPassphrase) + " characters";
    std::vector<SealKeyPair> keys;
    if (auto e = load_keys(keys_file, keys)) return e;
    if (keys.empty()) return keys_file.string() + " holds no keys";
    std::error_code ec;
    if (std::filesystem::exists(out, ec)) return out.string() + " already exists; a backup never overwrites";
    json plain = json::array();
    json ids = json::array();
    for (const auto& k : keys) {
        plain.push_back({{"id", k.id}, {"public_key", k.public_key}, {"secret_key", k.secret_key}});
        ids.push_back(k.id);
    }
    std::string text = plain.dump();
    unsigned char salt[crypto_pwhash_SALTBYTES], nonce[crypto_secretbox_NONCEBYTES], key[crypto_secretbox_KEYBYTES];
    randombytes_buf(salt, sizeof salt);
    randombytes_buf(nonce, sizeof nonce);
    const unsigned long long ops = crypto_pwhash_OPSLIMIT_MODERATE;
    const std::size_t mem = crypto_pwhash_MEMLIMIT_MODERATE;
    if (auto e = derive(passphrase, salt, ops, mem, key)) return e;
    std::vector<unsigned char> box(text.size() + crypto_secretbox_MACBYTES);
    crypto_secretbox_easy(box.data(), reinterpret_cast<const unsigned char*>(text.data()), text.size(), nonce, key);
    sodium_memzero(key, sizeof key);
    sodium_memzero(text.data(), text.size());
    const json j = {{"format", kBackupFormat},
                    {"version", 1},
                    {"key_ids", ids},
                    {"kdf", "argon2id13"},
                    {"opslimit", ops},
                    {"memlimit", mem},
                    {"salt", to_base64(salt, sizeof salt)},
                    {"nonce", to_base64(nonce, sizeof nonce)},
                    {"box", to_base64(box.data(), box.size())}};
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    const std::string written = j.dump(2) + "\n";
    if (fd < 0 || ::write(fd, written.data(), written.size()) != static_cast<ssize_t>(written.size()) ||
        ::fsync(fd) != 0) {
        if (fd >= 0) ::close(fd);
        std::filesystem::remove(out, ec);
        return "can't write " + out.string();
    }
    ::close(fd);
    return std::nullopt;
}

std::optional<std::string> read_backup(const std::string& text, KeysBackup& out) {
    out = KeysBackup{};
    const json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("format") || j["format"] != kBackupFormat)
        return "is not a keys backup";
    if (!j.contains("version") || j["version"] != 1 || !j.contains("kdf") || j["kdf"] != "argon2id13")
        return "was made by a newer sayso-collector";
    const auto number = [&](const char* k, unsigned long long& v) {
        auto it = j.find(k);
        if (it == j.end() || !it->is_number_unsigned()) return false;
        v = it->get<unsigned long long>();
        return true;
    };
    const auto text_of = [&](const char* k) {
        auto it = j.find(k);
        return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    unsigned long long mem = 0;
    if (!number("opslimit", out.opslimit) || !number("memlimit", mem) ||
        !from_base64(text_of("salt"), out.salt, crypto_pwhash_SALTBYTES) ||
        !from_base64(text_of("nonce"), out.nonce, crypto_secretbox_NONCEBYTES) ||
        !from_base64(text_of("box"), out.box) || out.box.size() < crypto_secretbox_MACBYTES ||
        out.opslimit < crypto_pwhash_OPSLIMIT_MIN || out.opslimit > crypto_pwhash_OPSLIMIT_SENSITIVE ||
        mem < crypto_pwhash_MEMLIMIT_MIN || mem > crypto_pwhash_MEMLIMIT_SENSITIVE)
        return "is damaged";
    out.memlimit = static_cast<std::size_t>(mem);
    return std::nullopt;
}

std::optional<std::string> open_backup(const KeysBackup& b, const std::string& passphrase, const std::string& name,
                                       std::vector<SealKeyPair>& keys) {
    keys.clear();
    if (sodium_init() < 0) return "libsodium could not start";
    unsigned char key[crypto_secretbox_KEYBYTES];
    if (auto e = derive(passphrase, b.salt.data(), b.opslimit, b.memlimit, key)) return e;
    std::string plain(b.box.size() - crypto_secretbox_MACBYTES, '\0');
    const int rc = crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), b.box.data(),
                                              b.box.size(), b.nonce.data(), key);
    sodium_memzero(key, sizeof key);
    if (rc != 0) return "the passphrase is wrong, or " + name + " is damaged; nothing was changed";
    auto e = read_keys(plain, keys);
    sodium_memzero(plain.data(), plain.size());
    if (e) return name + " is damaged: it " + *e;
    return std::nullopt;
}

std::optional<std::string> restore_keys(const std::filesystem::path& backup, const std::filesystem::path& keys_file,
                                        const std::string& passphrase, std::vector<std::string>& restored) {
    restored.clear();
    if (sodium_init() < 0) return "libsodium could not start";
    std::ifstream in(backup, std::ios::binary);
    if (!in) return "can't read " + backup.string();
    std::ostringstream text;
    text << in.rdbuf();
    KeysBackup b;
    if (auto e = read_backup(text.str(), b)) return backup.string() + " " + *e;
    std::vector<SealKeyPair> from;
    if (auto e = open_backup(b, passphrase, backup.string(), from)) return e;
    std::vector<SealKeyPair> held;
    std::error_code ec;
    if (std::filesystem::exists(keys_file, ec))
        if (auto e = load_keys(keys_file, held)) return e;
    for (const auto& k : from) {
        auto same = std::find_if(held.begin(), held.end(), [&](const SealKeyPair& h) { return h.id == k.id; });
        if (same == held.end()) {
            held.push_back(k);
            restored.push_back(k.id);
        } else if (same->secret_key != k.secret_key) {
            return keys_file.string() + " holds a different key with the id \"" + k.id + "\"; nothing was changed";
        }
    }
    if (restored.empty()) return std::nullopt;
    return save_keys(keys_file, held);
}

std::optional<std::string> open_sealed(const std::vector<SealKeyPair>& keys, Answer& a) {
    if (a.sealed.empty()) return std::nullopt;
    if (sodium_init() < 0) return "libsodium could not start";
    const SealKeyPair* key = nullptr;
    for (const auto& k : keys)
        if (k.id == a.seal_key) key = &k;
    if (!key) return "an answer is sealed to key \"" + a.seal_key + "\", which the keys file does not hold";
    std::vector<unsigned char> box, pk, sk;
    if (!from_base64(a.sealed, box) || box.size() < crypto_box_SEALBYTES ||
        !from_base64(key->public_key, pk, crypto_box_PUBLICKEYBYTES) ||
        !from_base64(key->secret_key, sk, crypto_box_SECRETKEYBYTES))
        return "an answer sealed to key \"" + a.seal_key + "\" is damaged";
    std::string plain(box.size() - crypto_box_SEALBYTES, '\0');
    const int rc = crypto_box_seal_open(reinterpret_cast<unsigned char*>(plain.data()), box.data(), box.size(),
                                        pk.data(), sk.data());
    sodium_memzero(sk.data(), sk.size());
    if (rc != 0) return "an answer sealed to key \"" + a.seal_key + "\" does not open with it";
    try {
        json j = json::parse(plain);
        a.skipped = j.at("skipped").get<bool>();
        a.options = j.at("options").get<std::vector<std::string>>();
        a.text = j.at("text").get<std::string>();
    } catch (const std::exception&) {
        return "an answer sealed to key \"" + a.seal_key + "\" opened to something unreadable";
    }
    return std::nullopt;
}

} // namespace sayso::collector
